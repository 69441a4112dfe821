"""Measure real GPU peak memory of a few architectures against the estimator.

Needs a CUDA GPU and, beside the project's dependencies, `pip install torch transformers`.
Each fixture config is instantiated with random weights in BF16 on the GPU (scaled-down layer
counts keep large models within one GPU; the estimate uses the same scaled config), a prefill
of CONTEXT tokens runs with the KV cache on, and torch's peak allocated memory is compared with
the estimator's weights + KV cache + activations (runtime overhead excluded: torch does not
count the CUDA context).

    python bench/gpu_memory.py --context 4096 > gpu_memory.md
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from estimator import EstimateOptions, estimate, parse_config  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "configs"
CASES = {
    # fixture: layers to keep (None: all)
    "meta-llama__Llama-2-7b-hf": None,
    "meta-llama__Meta-Llama-3-8B": None,
    "mistralai__Mistral-7B-v0.1": None,
    "Qwen__Qwen3-8B": None,
    "Qwen__Qwen3-30B-A3B": 12,
    "deepseek-ai__DeepSeek-V2-Lite": 8,
}


def measure(name: str, layers: int | None, context: int) -> tuple[int, int]:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    config.pop("_fixture_note", None)
    if layers:
        config["num_hidden_layers"] = layers
    config.pop("quantization_config", None)
    hf_config = AutoConfig.for_model(**config) if "auto_map" not in config else None
    if hf_config is None:
        return 0, 0
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(hf_config, torch_dtype=torch.bfloat16)
    model.eval()
    ids = torch.randint(0, config["vocab_size"], (1, context), device="cuda")
    with torch.no_grad():
        model(ids, use_cache=True, logits_to_keep=1)
    peak = torch.cuda.max_memory_allocated()
    answer = estimate(parse_config(config), EstimateOptions(context_tokens=context)).as_dict()
    memory = answer["memory"]
    predicted = memory["total_bytes"] - memory["overhead_bytes"]
    del model
    return peak, predicted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--context", type=int, default=4096)
    args = parser.parse_args()
    print("| config | layers | measured peak GiB | estimated GiB | estimate / measured |")
    print("|---|---|---|---|---|")
    for name, layers in CASES.items():
        peak, predicted = measure(name, layers, args.context)
        if not peak:
            print(f"| {name} | — | skipped (remote code) | | |")
            continue
        print(
            f"| {name} | {layers or 'all'} | {peak / 2**30:.2f} | {predicted / 2**30:.2f} "
            f"| {predicted / peak:.2f} |"
        )


if __name__ == "__main__":
    main()
