"""Exact parameter counts from an architecture.

Counts the unique weights the family's modelling code creates: embedding; per layer the
attention projections (MHA, GQA, MQA or DeepSeek's latent attention) with their biases and
norms, the dense or mixture-of-experts FFN (routed and shared experts, router); the final norm;
and the output projection unless it is tied to the embedding. Extra checkpoint modules
(DeepSeek-V3's multi-token-prediction layer, a vision tower) are counted separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from estimator.architecture import Architecture, VisionTower


@dataclass(frozen=True)
class LayerParameters:
    """The parameters of one decoder layer, by role (each a count of weights)."""

    attention: int  # projection matrices (q, k, v, o or MLA's low-rank ones)
    attention_v: int  # the value projection alone (GGUF keeps it at more bits)
    attention_small: int  # biases and the per-head/latent norms of attention
    ffn: int  # dense FFN matrices, or the shared experts of an MoE layer
    ffn_down: int  # the down projection(s) among ``ffn`` (GGUF keeps it at more bits)
    ffn_small: int  # FFN biases, router, shared-expert gate
    routed_experts: int  # all routed experts' matrices
    routed_experts_active: int  # the experts one token uses
    norms: int  # the layer's normalisation weights (and biases)
    expert_biases: int = 0  # the routed experts' biases (gpt-oss), all experts
    expert_biases_active: int = 0  # those of the experts one token uses

    @property
    def total(self) -> int:
        return (
            self.attention
            + self.attention_small
            + self.ffn
            + self.ffn_small
            + self.routed_experts
            + self.expert_biases
            + self.norms
        )

    @property
    def active(self) -> int:
        return (
            self.total
            - self.routed_experts
            - self.expert_biases
            + self.routed_experts_active
            + self.expert_biases_active
        )


@dataclass(frozen=True)
class ParameterCount:
    """Total and active parameters with their parts; every figure a count of weights."""

    embedding: int
    lm_head: int  # 0 when tied to the embedding
    final_norm: int
    layers: tuple[LayerParameters, ...]
    mtp: int  # DeepSeek-V3 multi-token prediction modules (not in total)
    vision: int  # vision tower (not in total)

    @property
    def total(self) -> int:
        return self.embedding + self.lm_head + self.final_norm + sum(x.total for x in self.layers)

    @property
    def active(self) -> int:
        return self.embedding + self.lm_head + self.final_norm + sum(x.active for x in self.layers)

    @property
    def matrices(self) -> int:
        """Weights of the linear layers inside the blocks (what weight quantisation shrinks)."""
        return sum(x.attention + x.ffn + x.routed_experts for x in self.layers)

    @property
    def small(self) -> int:
        """Norms, biases and routers: kept at 16 or 32 bits by every quantisation scheme."""
        return self.final_norm + sum(
            x.attention_small + x.ffn_small + x.expert_biases + x.norms for x in self.layers
        )


def _linear_attention(arch: Architecture) -> tuple[int, int, int]:
    """A Gated DeltaNet layer (``LinearAttention``): (matrices, value part, small tensors)."""
    linear = arch.linear_attention
    assert linear is not None  # parse_config reads it when the schedule has linear layers
    hidden = arch.hidden_size
    qkvz = hidden * (2 * linear.key_dim + 2 * linear.value_dim)
    ba = hidden * 2 * linear.num_value_heads
    out = linear.value_dim * hidden
    small = (
        linear.conv_dim * linear.conv_kernel  # depthwise conv1d, no bias
        + 2 * linear.num_value_heads  # dt_bias, A_log
        + linear.value_head_dim  # gated RMSNorm
    )
    return qkvz + ba + out, hidden * linear.value_dim, small


def _mamba(arch: Architecture) -> tuple[int, int, int]:
    """A Mamba-2 mixer (``Mamba``): (matrices, value part, small tensors)."""
    mamba = arch.mamba
    assert mamba is not None  # parse_config reads it when the schedule has Mamba layers
    hidden = arch.hidden_size
    projected = 2 * mamba.inner + 2 * mamba.groups * mamba.state_size + mamba.num_heads
    matrices = hidden * projected + mamba.inner * hidden  # in_proj, out_proj
    small = (
        mamba.conv_dim * mamba.conv_kernel  # depthwise conv1d
        + (mamba.conv_dim if mamba.conv_bias else 0)
        + 3 * mamba.num_heads  # dt_bias, A_log, D
        + mamba.inner  # gated RMSNorm
        + ((projected + hidden) if mamba.bias else 0)
    )
    return matrices, 0, small


def _attention(arch: Architecture, index: int = 0) -> tuple[int, int, int]:
    kind = arch.layer_type(index)
    if kind == "linear_attention":
        return _linear_attention(arch)
    if kind == "mamba":
        return _mamba(arch)
    hidden, heads = arch.hidden_size, arch.num_attention_heads
    structure = arch.structure
    if arch.uses_mla:
        mla = arch.mla
        qk_head = mla.nope + mla.rope
        if mla.q_lora_rank:
            query = hidden * mla.q_lora_rank + mla.q_lora_rank * heads * qk_head
            small = mla.q_lora_rank  # q_a_layernorm
        else:
            query = hidden * heads * qk_head
            small = 0
        kv_down = hidden * (mla.kv_lora_rank + mla.rope)
        kv_up = mla.kv_lora_rank * heads * (mla.nope + mla.v)
        value = mla.kv_lora_rank * heads * mla.v
        output = heads * mla.v * hidden
        small += mla.kv_lora_rank  # kv_a_layernorm
        if arch.indexer is not None:
            indexer = arch.indexer
            assert mla.q_lora_rank is not None  # the indexer reads the compressed query
            query += mla.q_lora_rank * indexer.heads * indexer.head_dim  # wq_b
            kv_down += hidden * indexer.head_dim + hidden * indexer.heads  # wk, weights_proj
            small += 2 * indexer.head_dim  # k_norm, a LayerNorm
        return query + kv_down + kv_up + output, value, small
    q_width = heads * arch.head_dim
    kv_width = arch.num_kv_heads * arch.head_dim
    matrices = hidden * q_width + 2 * hidden * kv_width + q_width * hidden
    if structure.attention_output_gate:
        matrices += hidden * q_width  # q_proj yields the queries and as many gate values
    small = 0
    if arch.qkv_bias:
        small += q_width + 2 * kv_width
    if structure.o_bias or (structure.o_bias_with_qkv and arch.qkv_bias):
        small += hidden
    if structure.attention_sinks:
        small += heads
    qk_norm = arch.qk_norm or ("head" if structure.qk_norm else "none")
    if qk_norm == "head":
        small += 2 * arch.head_dim
    elif qk_norm == "layer":  # one norm over every query head, one over every key head
        small += q_width + kv_width
    return matrices, hidden * kv_width, small


def _mlp(arch: Architecture, width: int) -> tuple[int, int, int]:
    """(matrices, down projection, biases) of one FFN of inner width ``width``."""
    hidden, structure = arch.hidden_size, arch.structure
    branches = 3 if structure.ffn_gated else 2
    biases = 0
    if structure.ffn_bias:
        biases = (2 if structure.ffn_gated else 1) * width + hidden
    return branches * hidden * width, hidden * width, biases


def _layer(arch: Architecture, index: int) -> LayerParameters:
    kind = arch.layer_type(index)
    norm = arch.hidden_size * (2 if arch.structure.norm_bias else 1)
    norms = arch.structure.norms_per_layer * norm
    if arch.structure.separate_blocks and kind in ("mlp", "moe"):
        attention = attention_v = attention_small = 0  # an FFN block: no token mixer
    else:
        attention, attention_v, attention_small = _attention(arch, index)
    if arch.structure.separate_blocks and kind not in ("mlp", "moe"):
        # A token-mixer block: no FFN.
        return LayerParameters(attention, attention_v, attention_small, 0, 0, 0, 0, 0, norms)
    if not arch.is_moe_layer(index):
        ffn, down, ffn_small = _mlp(arch, arch.intermediate_size)
        return LayerParameters(
            attention, attention_v, attention_small, ffn, down, ffn_small, 0, 0, norms
        )
    # An MoE architecture has all three (parse_config reads them; the catalog's
    # moe_all_or_none constraint and architecture_from_numbers' defaults for curated numbers).
    assert arch.num_experts is not None
    assert arch.num_experts_per_token is not None
    assert arch.moe_intermediate_size is not None
    expert, expert_down, expert_bias = _mlp(arch, arch.moe_intermediate_size)
    routed = arch.num_experts * expert
    active = arch.num_experts_per_token * expert
    router = arch.hidden_size * arch.num_experts
    if arch.structure.router_bias:
        router += arch.num_experts
    shared, shared_down = 0, 0
    if arch.shared_expert_intermediate_size:  # Qwen2-MoE: one shared expert of its own width
        shared, shared_down, _ = _mlp(arch, arch.shared_expert_intermediate_size)
    elif arch.num_shared_experts:  # DeepSeek, Ling: n experts' width fused into one MLP
        shared, shared_down, _ = _mlp(arch, arch.moe_intermediate_size * arch.num_shared_experts)
    if arch.structure.shared_expert_gate:
        router += arch.hidden_size
    return LayerParameters(
        attention=attention,
        attention_v=attention_v,
        attention_small=attention_small,
        ffn=shared,
        ffn_down=shared_down + arch.num_experts * expert_down,
        ffn_small=router,
        routed_experts=routed,
        routed_experts_active=active,
        norms=norms,
        expert_biases=arch.num_experts * expert_bias,
        expert_biases_active=arch.num_experts_per_token * expert_bias,
    )


def _linear(inputs: int, outputs: int, bias: bool = True) -> int:
    return inputs * outputs + (outputs if bias else 0)


def _qwen3_vl_vision(tower: VisionTower) -> int:
    """Qwen3-VL's ViT (transformers Qwen3VLVisionModel): a Conv3d patch embedding with bias,
    learned positions, blocks of two LayerNorms, fused qkv and proj with biases and a GELU MLP
    with biases; a merger (LayerNorm over the width, two linear layers from the merged
    patches) and as many deepstack mergers (their LayerNorm after the merge)."""
    dim, inner = tower.hidden_size, tower.intermediate_size
    patch = tower.in_channels * tower.temporal_patch_size * tower.patch_size**2 * dim + dim
    positions = tower.num_position_embeddings * dim
    block = 4 * dim + _linear(dim, 3 * dim) + _linear(dim, dim) + _linear(dim, inner)
    block += _linear(inner, dim)
    merged = dim * tower.spatial_merge_size**2
    mlp = _linear(merged, merged) + _linear(merged, tower.out_hidden_size)
    merger = 2 * dim + mlp
    deepstack = tower.deepstack_layers * (2 * merged + mlp)
    return patch + positions + tower.depth * block + merger + deepstack


def _siglip_vision(tower: VisionTower) -> int:
    """Gemma 3's SigLIP encoder (transformers SiglipVisionTransformer, no pooling head) and
    its projector (Gemma3MultiModalProjector: mm_input_projection_weight, mm_soft_emb_norm)."""
    dim, inner = tower.hidden_size, tower.intermediate_size
    patch = tower.in_channels * tower.patch_size**2 * dim + dim  # Conv2d with bias
    positions = (tower.image_size // tower.patch_size) ** 2 * dim
    layer = 4 * _linear(dim, dim) + _linear(dim, inner) + _linear(inner, dim) + 2 * 2 * dim
    post_norm = 2 * dim
    projector = dim * tower.out_hidden_size + dim
    return patch + positions + tower.depth * layer + post_norm + projector


def _llama4_vision(tower: VisionTower) -> int:
    """Llama 4's ViT (transformers Llama4VisionModel): an unfold patch embedding without
    bias, a class embedding, positions for every patch and the class token, LayerNorms before
    and after, encoder layers with biases; the pixel-shuffle adapter's two linear layers
    without bias (Llama4VisionMLP2) and the projector into the text model
    (Llama4MultiModalProjector, no bias)."""
    dim, inner = tower.hidden_size, tower.intermediate_size
    patch = tower.in_channels * tower.patch_size**2 * dim
    positions = ((tower.image_size // tower.patch_size) ** 2 + 1) * dim
    layer = 4 * _linear(dim, dim) + _linear(dim, inner) + _linear(inner, dim) + 2 * 2 * dim
    adapter = inner * tower.projector_input_dim + tower.projector_output_dim**2
    projector = tower.output_dim * tower.out_hidden_size
    return patch + dim + positions + 2 * 2 * dim + tower.depth * layer + adapter + projector


def _pixtral_vision(tower: VisionTower) -> int:
    """Mistral 3's Pixtral encoder (transformers PixtralVisionModel: a patch Conv2d and every
    linear layer without bias, RMSNorms, a SiLU-gated MLP, 2D RoPE without weights) and its
    projector (Mistral3MultiModalProjector: an RMSNorm, the patch merger's merging_layer
    without bias, linear_1 and linear_2 with biases where multimodal_projector_bias)."""
    dim, inner, text = tower.hidden_size, tower.intermediate_size, tower.out_hidden_size
    encoder = tower.in_channels * tower.patch_size**2 * dim + dim  # patch_conv, ln_pre
    encoder += tower.depth * (4 * dim * dim + 3 * dim * inner + 2 * dim)
    merger = dim + dim * tower.spatial_merge_size**2 * dim
    projector = _linear(dim * tower.feature_layers, text, tower.projector_bias)
    projector += _linear(text, text, tower.projector_bias)
    return encoder + merger + projector


def _vision(tower: VisionTower) -> int:
    """The vision tower and its projector into the language model, by kind."""
    if tower.kind == "pixtral":
        return _pixtral_vision(tower)
    if tower.kind == "qwen3_vl":
        return _qwen3_vl_vision(tower)
    if tower.kind == "siglip":
        return _siglip_vision(tower)
    if tower.kind == "llama4":
        return _llama4_vision(tower)
    return _qwen2_5_vl_vision(tower)


def _qwen2_5_vl_vision(tower: VisionTower) -> int:
    """Qwen2.5-VL vision encoder: patch embedding, ViT blocks (RMSNorm, SwiGLU with biases),
    and the patch merger that projects into the language model."""
    dim, inner = tower.hidden_size, tower.intermediate_size
    patch = tower.in_channels * tower.temporal_patch_size * tower.patch_size**2 * dim
    block = (
        2 * dim  # norm1, norm2
        + dim * 3 * dim
        + 3 * dim  # qkv with bias
        + dim * dim
        + dim  # proj with bias
        + 2 * (dim * inner + inner)  # gate and up with bias
        + inner * dim
        + dim  # down with bias
    )
    merged = dim * tower.spatial_merge_size**2
    merger = dim + merged * merged + merged + merged * tower.out_hidden_size + tower.out_hidden_size
    return patch + tower.depth * block + merger


def count_parameters(arch: Architecture) -> ParameterCount:
    """Count the parameters of ``arch`` exactly (see the module docstring for what counts)."""
    embedding = arch.vocab_size * arch.hidden_size
    norm = arch.hidden_size * (2 if arch.structure.norm_bias else 1)
    layers = tuple(_layer(arch, index) for index in range(arch.num_layers))
    mtp = 0
    if arch.num_mtp_layers:
        # Each MTP module: two RMSNorms on its inputs, a 2h→h projection, one MoE decoder
        # layer and the norm of its shared head; embedding and head are the main model's.
        mtp_layer = _layer(arch, arch.num_layers)  # past the schedule: attention, MoE
        mtp = arch.num_mtp_layers * (
            3 * arch.hidden_size + 2 * arch.hidden_size * arch.hidden_size + mtp_layer.total
        )
    return ParameterCount(
        embedding=embedding,
        lm_head=0 if arch.tie_word_embeddings else embedding,
        final_norm=norm,
        layers=layers,
        mtp=mtp,
        vision=_vision(arch.vision) if arch.vision else 0,
    )
