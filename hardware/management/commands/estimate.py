"""Estimate parameters, memory and fitting hardware for any config.json."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.lib.units import GIB
from estimator import KV_DTYPES, PRECISIONS, WORKLOADS, EstimateOptions
from estimator.fit import MAX_DEVICES
from estimator.speed import LLAMA_CPP, RUNTIMES
from hardware import selectors
from hardware.services import EstimateInputError, estimate_for


class Command(BaseCommand):
    help = "Estimate a Hugging Face config.json: exact parameters, memory, fit and speed."

    def add_arguments(self, parser):
        parser.add_argument("config", type=Path, help="Path to a config.json.")
        parser.add_argument(
            "--precision",
            default="",
            choices=list(PRECISIONS),
            help="Default: the checkpoint's own format where it is published quantised "
            "(native), else bf16.",
        )
        parser.add_argument("--context", type=int, default=4096, help="Context in tokens.")
        parser.add_argument(
            "--prompt",
            type=int,
            help="Prompt tokens for the time to first token (default: the whole context).",
        )
        parser.add_argument("--batch", type=int, default=1, help="Concurrent sequences.")
        parser.add_argument("--workload", default="inference", choices=list(WORKLOADS))
        parser.add_argument("--kv-dtype", default="bf16", choices=list(KV_DTYPES))
        parser.add_argument(
            "--runtime",
            default=LLAMA_CPP,
            choices=list(RUNTIMES),
            help="How several GPUs share the model: llama.cpp splits the layers (default), "
            "vllm is tensor parallel.",
        )
        parser.add_argument("--lora-rank", type=int, default=16)
        parser.add_argument(
            "--accelerator",
            help="An accelerator's slug: fit on it alone instead of every published profile.",
        )
        parser.add_argument(
            "--count", type=int, default=1, help="How many of the accelerator (default 1)."
        )
        parser.add_argument("--json", action="store_true", help="Print the JSON answer.")

    def handle(self, *args, config: Path, **options):
        try:
            document = json.loads(config.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{config}: file not found.") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{config}: not a readable JSON file ({exc}).") from None
        except RecursionError:  # arrays or objects nested thousands deep
            raise CommandError(f"{config}: the JSON is nested too deeply to read.") from None
        if not isinstance(document, dict):
            raise CommandError(f"{config}: config.json must be a JSON object.")
        choices = EstimateOptions(
            workload=options["workload"],
            precision=options["precision"],
            context_tokens=options["context"],
            prompt_tokens=options["prompt"],
            runtime=options["runtime"],
            batch=options["batch"],
            kv_dtype=options["kv_dtype"],
            lora_rank=options["lora_rank"],
        )
        accelerator = None
        if options["accelerator"]:
            accelerator = selectors.accelerator_list().filter(slug=options["accelerator"]).first()
            if accelerator is None:
                raise CommandError(
                    f"--accelerator: no published accelerator '{options['accelerator']}' "
                    "(the API lists them at /api/v1/accelerators/)."
                )
        if not 1 <= options["count"] <= MAX_DEVICES:
            raise CommandError(f"--count: must be from 1 to {MAX_DEVICES}.")
        try:
            answer = estimate_for(
                config=document,
                options=choices,
                accelerator=accelerator,
                count=options["count"],
            )
        except EstimateInputError as exc:
            field, message = next(iter(exc.errors.items()))
            raise CommandError(f"{config}: {field}: {message}") from None
        if options["json"]:
            self.stdout.write(json.dumps(answer, indent=2))
            return
        memory = answer["memory"]
        self.stdout.write(f"{config}: {answer['architecture']['model_type']}")
        self.stdout.write(f"  total parameters   {answer['total_params']:,}")
        self.stdout.write(f"  active parameters  {answer['active_params']:,}")
        self.stdout.write(f"  KV cache per token {answer['kv_cache_bytes_per_token']:,} bytes")
        if answer["fixed_state_bytes_per_sequence"]:
            self.stdout.write(
                f"  fixed state        {answer['fixed_state_bytes_per_sequence']:,} bytes per "
                "sequence, at any context"
            )
        for term in answer["breakdown"]:
            self.stdout.write(
                f"  {term['key']:<13} {term['bytes'] / GIB:9.2f} GiB  {term['explanation']}"
            )
        self.stdout.write(f"  {'total':<13} {memory['total_bytes'] / GIB:9.2f} GiB")
        fitting = [f for f in answer["fits"] if f["fits"]]
        self.stdout.write(
            f"  fits {len(fitting)} of {len(answer['fits'])} profiles; smallest: "
            f"{answer['smallest_profile'] or 'none'}"
        )
        if accelerator is not None:
            self._hardware(answer["fits"][0], answer["inputs"]["prompt"])
        self.stdout.write(f"  estimator {answer['estimator_version']}")

    def _hardware(self, fit: dict, prompt: int | None) -> None:
        """The one accelerator asked for: fit, both decode figures, time to first token."""
        self.stdout.write(
            f"  on {fit['name']}: {fit['reason']}, {fit['per_device_bytes'] / GIB:.2f} GiB per "
            "device"
        )
        if fit["decode_tokens_per_s_per_sequence"] is not None:
            self.stdout.write(
                f"    decode about {fit['decode_tokens_per_s_per_sequence']:g} tokens/s per "
                f"sequence (upper bound {fit['decode_tokens_per_s_upper_bound']:g})"
            )
        elif fit["decode_tokens_per_s_upper_bound"] is not None:
            self.stdout.write(
                f"    decode at most {fit['decode_tokens_per_s_upper_bound']:g} tokens/s per "
                "sequence (upper bound; no runtime calibrated for this accelerator)"
            )
        if fit["time_to_first_token_s"] is not None:
            self.stdout.write(
                f"    first token after about {fit['time_to_first_token_s']:g} s for a "
                f"{prompt:,}-token prompt (at peak {fit['time_to_first_token_s_at_peak']:g} s)"
            )
