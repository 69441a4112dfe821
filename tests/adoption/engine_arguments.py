"""Each serving engine's command line as its documentation lists it, for the recipe tests to
parse generated commands with: option names, aliases, types and choices copied from the
engines' documented references (not from their code). An option a recipe uses that is not
listed here fails the parse.
"""

from __future__ import annotations

import argparse


class ArgumentsRefused(ValueError):
    """The engine's documented parser refused the arguments."""


class StrictParser(argparse.ArgumentParser):
    """An argparse parser that raises instead of exiting, without abbreviations."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog=prog, allow_abbrev=False, add_help=False, exit_on_error=False)

    def error(self, message: str):  # type: ignore[override]
        raise ArgumentsRefused(message)


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 1]")
    return value


def vllm_serve() -> StrictParser:
    """`vllm serve`: https://docs.vllm.ai/en/latest/cli/serve.html and
    https://docs.vllm.ai/en/latest/configuration/engine_args.html."""
    parser = StrictParser("vllm serve")
    parser.add_argument("model_tag")
    parser.add_argument("--served-model-name", nargs="+")
    parser.add_argument("--tensor-parallel-size", "-tp", type=int)
    parser.add_argument("--pipeline-parallel-size", "-pp", type=int)
    parser.add_argument("--max-model-len", type=int)
    parser.add_argument("--gpu-memory-utilization", type=_fraction)
    parser.add_argument(
        "--dtype", choices=["auto", "half", "float16", "bfloat16", "float", "float32"]
    )
    # The methods of the quantization page (docs.vllm.ai/en/latest/features/quantization/).
    parser.add_argument(
        "--quantization",
        "-q",
        choices=[
            "awq",
            "awq_marlin",
            "gptq",
            "gptq_marlin",
            "fp8",
            "bitsandbytes",
            "gguf",
            "compressed-tensors",
            "experts_int8",
            "modelopt",
            "mxfp4",
        ],
    )
    # CacheDType (vllm/config/cache.py, documented with --kv-cache-dtype in engine_args.html).
    parser.add_argument(
        "--kv-cache-dtype",
        choices=["auto", "float16", "bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2", "fp8_inc"],
    )
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    return parser


def sglang_launch_server() -> StrictParser:
    """`python -m sglang.launch_server`:
    https://docs.sglang.ai/advanced_features/server_arguments.html."""
    parser = StrictParser("python -m sglang.launch_server")
    parser.add_argument("--model-path", "--model", required=True)
    parser.add_argument("--served-model-name")
    parser.add_argument("--tensor-parallel-size", "--tp-size", type=int, dest="tp_size")
    parser.add_argument("--context-length", type=int)
    parser.add_argument("--mem-fraction-static", type=_fraction)
    parser.add_argument(
        "--dtype", choices=["auto", "half", "float16", "bfloat16", "float", "float32"]
    )
    parser.add_argument(
        "--quantization",
        choices=[
            "awq",
            "fp8",
            "gptq",
            "marlin",
            "gptq_marlin",
            "awq_marlin",
            "bitsandbytes",
            "gguf",
            "modelopt",
            "modelopt_fp8",
            "modelopt_fp4",
            "w8a8_int8",
            "w8a8_fp8",
            "moe_wna16",
            "mxfp4",
            "compressed-tensors",
        ],
    )
    parser.add_argument(
        "--kv-cache-dtype",
        choices=["auto", "fp8_e5m2", "fp8_e4m3", "bf16", "bfloat16", "fp4_e2m1"],
    )
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    return parser


# -ctk / -ctv allowed values (tools/server/README.md).
LLAMA_CACHE_TYPES = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"]


def _layers(text: str) -> int | str:
    # "an exact number, 'auto', or 'all'" (tools/server/README.md, -ngl).
    return text if text in ("auto", "all") else int(text)


def _proportions(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def llama_server() -> StrictParser:
    """`llama-server`: https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md."""
    parser = StrictParser("llama-server")
    parser.add_argument("-m", "--model")
    parser.add_argument("-hf", "-hfr", "--hf-repo")
    parser.add_argument("-hff", "--hf-file")
    parser.add_argument("-a", "--alias")
    parser.add_argument("-c", "--ctx-size", type=int)
    parser.add_argument("-ngl", "--gpu-layers", "--n-gpu-layers", type=_layers, dest="n_gpu_layers")
    parser.add_argument("-np", "--parallel", type=int)
    parser.add_argument("-sm", "--split-mode", choices=["none", "layer", "row", "tensor"])
    parser.add_argument("-ts", "--tensor-split", type=_proportions)
    parser.add_argument("-mg", "--main-gpu", type=int)
    parser.add_argument("-ctk", "--cache-type-k", choices=LLAMA_CACHE_TYPES)
    parser.add_argument("-ctv", "--cache-type-v", choices=LLAMA_CACHE_TYPES)
    parser.add_argument("-fa", "--flash-attn", choices=["on", "off", "auto"])
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    return parser


def ollama_create() -> StrictParser:
    """`ollama create MODEL -f Modelfile`: https://github.com/ollama/ollama/blob/main/docs/cli.mdx
    and docs/import.mdx (-f/--file the Modelfile, -q/--quantize the level)."""
    parser = StrictParser("ollama create")
    parser.add_argument("model")
    parser.add_argument("-f", "--file")
    parser.add_argument("-q", "--quantize")
    return parser


# The Modelfile's instructions and PARAMETER names with their value types:
# https://github.com/ollama/ollama/blob/main/docs/modelfile.mdx ("Valid Parameters and
# Values"), and the runner options every model takes (docs/api.md, "options": num_gpu,
# main_gpu, num_batch, num_thread, use_mmap).
MODELFILE_INSTRUCTIONS = {
    "FROM",
    "PARAMETER",
    "TEMPLATE",
    "SYSTEM",
    "ADAPTER",
    "LICENSE",
    "MESSAGE",
    "REQUIRES",
}
MODELFILE_PARAMETERS = {
    "num_ctx": int,
    "repeat_last_n": int,
    "repeat_penalty": float,
    "temperature": float,
    "seed": int,
    "stop": str,
    "num_predict": int,
    "top_k": int,
    "top_p": float,
    "min_p": float,
    "num_gpu": int,
    "main_gpu": int,
    "num_batch": int,
    "num_thread": int,
}


def parse_modelfile(text: str) -> dict[str, object]:
    """The Modelfile's FROM and PARAMETER values; raises :class:`ArgumentsRefused` on an
    instruction or parameter the reference does not list, or a value of the wrong type."""
    parsed: dict[str, object] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        if instruction.upper() not in MODELFILE_INSTRUCTIONS:
            raise ArgumentsRefused(f"unknown instruction {instruction}")
        if instruction.upper() == "FROM":
            parsed["FROM"] = rest.strip()
        elif instruction.upper() == "PARAMETER":
            name, _, value = rest.strip().partition(" ")
            if name not in MODELFILE_PARAMETERS:
                raise ArgumentsRefused(f"unknown parameter {name}")
            try:
                parsed[name] = MODELFILE_PARAMETERS[name](value.strip())
            except ValueError:
                raise ArgumentsRefused(f"bad value for {name}: {value}") from None
    if "FROM" not in parsed:
        raise ArgumentsRefused("a Modelfile needs FROM")
    return parsed


# The program words each recipe starts with, and the parser of what follows.
PROGRAMS = {
    "vllm": (("vllm", "serve"), vllm_serve),
    "sglang": (("python", "-m", "sglang.launch_server"), sglang_launch_server),
    "llama_cpp": (("llama-server",), llama_server),
    "ollama": (("ollama", "create"), ollama_create),
}


def parse_recipe(engine: str, argv: tuple[str, ...] | list[str]) -> argparse.Namespace:
    """Parse a recipe's argument vector with the engine's documented options."""
    program, parser = PROGRAMS[engine]
    if tuple(argv[: len(program)]) != program:
        raise ArgumentsRefused(f"{engine} commands start with {' '.join(program)}")
    return parser().parse_args(list(argv[len(program) :]))
