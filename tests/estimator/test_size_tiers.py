from core.lib.units import GB
from estimator.size_tiers import parse_seed_range, tier_figures


def test_parses_the_seeds_cells():
    assert parse_seed_range("20-24GB (单卡)") == (20 * GB, 24 * GB)
    assert parse_seed_range("400GB+ (多卡集群)") == (400 * GB, None)
    assert parse_seed_range("1.5TB+ (分布式)") == (1500 * GB, None)
    assert parse_seed_range("单卡") == (None, None)


def test_seven_b_full_fine_tune_is_flagged_against_the_seed():
    figures = {
        f.key: f
        for f in tier_figures(
            7, training_memory="20-24GB (单卡)", inference_memory="10-14GB (FP16)"
        )
    }
    assert figures["full_finetune"].computed_bytes == 112 * GB
    assert figures["full_finetune"].disagrees
    assert figures["inference_fp16"].computed_bytes == 14 * GB
    assert figures["inference_fp16"].disagrees  # weights alone fill the seed's upper end
    assert figures["lora"].computed_bytes == 14 * GB


def test_thirty_two_b_inference_leaves_room_and_agrees():
    figures = {
        f.key: f
        for f in tier_figures(
            32, training_memory="160-200GB (多卡)", inference_memory="64-70GB (FP16)"
        )
    }
    assert not figures["inference_fp16"].disagrees
    assert figures["full_finetune"].disagrees
