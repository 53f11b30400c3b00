"""Invented sentence pools: LLM quantization, long-context attention, image diffusion."""

from pools import Featured, Query, Topic

QUANTIZATION = Topic(
    slug="llm-quantization",
    categories=("cs.LG", "cs.CL", "cs.AR"),
    avoid=("quantiz", "quantis", "low-bit"),
    name_prefixes=("Quant", "Bit", "Int", "Tern", "Nano", "Lumen", "Slim", "Coda"),
    contexts=(
        "Post-training quantization is the most practical way to shrink large language models "
        "for deployment on commodity hardware.",
        "Weight-only quantization to four bits has become the default recipe for serving "
        "{model} on a single GPU.",
        "Quantizing both weights and activations of large language models promises integer-only "
        "inference, but activation outliers make low-bit formats fragile.",
        "As open-weight language models grow past tens of billions of parameters, low-bit "
        "quantization is increasingly necessary to fit them in memory.",
        "Quantization-aware training recovers the accuracy lost at low precision, yet its cost "
        "grows quickly with model size.",
    ),
    veiled_contexts=(
        "Serving large language models is dominated by the cost of moving weights from memory, "
        "so representing each parameter with fewer bits directly speeds up decoding.",
        "Reducing the numerical precision of a pretrained transformer without retraining is "
        "attractive, because full fine-tuning of {model} is out of reach for most practitioners.",
        "Storing model parameters as small integers instead of 16-bit floats can cut memory "
        "several times over, but naive rounding destroys the abilities of large language models.",
        "Running billion-parameter chat assistants on laptops requires squeezing their weights "
        "into a fraction of their original storage.",
    ),
    gaps=(
        "Existing methods rely on a small calibration set and degrade sharply below four bits, "
        "especially on reasoning tasks.",
        "Rounding each weight independently ignores the interactions between weights that "
        "determine a layer's output.",
        "A handful of outlier channels dominate the dynamic range, forcing coarse scales on every "
        "other channel.",
        "Current quantizers are tuned on perplexity, which hides large losses on long-form "
        "generation and code.",
        "Mixed-precision schemes reduce the damage at the price of an expensive search over "
        "per-layer precisions that hardware handles poorly.",
    ),
    intros=(
        "We propose {method}, a post-training method that {mechanism}.",
        "We introduce {method}, which {mechanism}.",
        "We present {method}, a calibration-light recipe that {mechanism}.",
        "We develop {method}, a quantization scheme that {mechanism}.",
    ),
    details=(
        "The {component} adds no runtime cost because it is fused into the matrix multiplication "
        "kernel.",
        "The few most sensitive weights stay in 16-bit precision, which costs less than "
        "{pct_small}% extra memory.",
        "Our kernels pack {bits}-bit weights and dequantize them on the fly inside the GEMM.",
        "The whole procedure runs in under {count} minutes for a 7B-parameter model on one GPU.",
        "A closed-form update avoids backpropagation, so memory stays close to that of inference.",
        "We analyse how rounding errors propagate through residual connections and bound the "
        "accumulated perturbation by $O(\\sqrt{d})$ for hidden size $d$.",
        "The same integer grid is shared by all layers, which simplifies deployment on "
        "accelerators.",
    ),
    results=(
        "On {model}, {method} at {bits} bits stays within {small_dec} perplexity of the 16-bit "
        "model on WikiText-2.",
        "At {bits}-bit precision it improves average zero-shot accuracy by {gain} points over "
        "{baseline}.",
        "End-to-end decoding is {speedup}x faster than 16-bit inference on an A100 GPU.",
        "On {dataset}, {method} retains {keep}% of the full-precision accuracy.",
        "The weights of {model} shrink by {pct}%, enabling single-GPU serving.",
        "Gains are largest on {dataset}, where {baseline} loses more than {gain} points.",
    ),
    closings=(
        "These results suggest that sub-4-bit inference is practical for everyday deployment.",
        "{method} makes it possible to run strong assistants on consumer GPUs.",
    ),
    title_adjectives=(
        "Calibration-Free",
        "Outlier-Aware",
        "Hardware-Friendly",
        "Accurate",
        "Fast",
        "Rotation-Based",
        "Sensitivity-Guided",
    ),
    title_cores=(
        "Low-Bit Quantization",
        "Weight-Only Quantization",
        "Post-Training Quantization",
        "Sub-4-Bit Inference",
        "Compressed Weight Storage",
        "Integer Arithmetic Inference",
    ),
    title_targets=(
        "Large Language Models",
        "On-Device Assistants",
        "Open-Weight Chat Models",
        "Mixture-of-Experts LLMs",
    ),
    slots={
        "mechanism": (
            "learns per-group scales by minimizing the output error of each transformer block",
            "rotates weights and activations with cheap orthogonal transforms before rounding",
            "assigns precision per channel according to a second-order sensitivity estimate",
            "routes outlier channels through a separate high-precision path",
            "rounds weights in a data-aware order and compensates the error on the remaining "
            "weights",
            "shares codebooks across layers so that each weight group is stored as a short index",
        ),
        "model": (
            "7B-parameter decoder-only models",
            "70B-parameter chat models",
            "mixture-of-experts language models",
            "small 1B-parameter language models",
        ),
        "bits": ("2", "3", "4"),
        "dataset": ("GSM8K", "MMLU", "HumanEval", "ARC-Challenge", "C4"),
        "metric": ("perplexity", "zero-shot accuracy", "exact match"),
        "baseline": ("GPTQ", "AWQ", "round-to-nearest rounding", "SmoothQuant"),
        "component": ("scale search", "outlier path", "error-compensation step", "shared codebook"),
    },
    featured=(
        Featured(
            key="quant-kv-crumbs",
            method="CrumbKV",
            title="CrumbKV: Two-Bit Key-Value Cache Quantization for Long Multi-Turn Conversations",
            intro="We introduce CrumbKV, which quantizes the cached keys and values of earlier "
            "conversation turns to two bits while keeping the most recent turn in full precision.",
            details=(
                "Keys are quantized per channel and values per token, and a small residual buffer "
                "absorbs the error of the oldest turns.",
            ),
            datasets=("ChatMarathon",),
        ),
        Featured(
            key="quant-lora-merge",
            method="QuiLL",
            title="QuiLL: Fine-Tuning Low-Rank Adapters on a 3-Bit Frozen Backbone and Merging "
            "Them Back",
            intro="We present QuiLL, which fine-tunes low-rank adapters on top of a language model "
            "whose frozen weights are quantized to three bits, and then merges the adapters into "
            "the weights without leaving the low-bit grid.",
            also="parameter-efficient-finetuning",
        ),
        Featured(
            key="quant-pocket-phone",
            method="PocketWeights",
            title="PocketWeights: Running a 7B Chat Assistant in 2 GB of Phone Memory",
            intro="We present PocketWeights, which stores every weight of a 7B assistant as an "
            "index into a 16-entry table learned per layer, so that the entire model fits in 2 GB "
            "of phone memory.",
            details=(
                "A lookup kernel written for mobile GPUs decodes the tables on the fly and "
                "generates 11 tokens per second on a mid-range phone.",
            ),
            veiled=True,
        ),
        Featured(
            key="quant-shift-round",
            method="ShiftRound",
            title="ShiftRound: Power-of-Two Weight Quantization Without Multipliers",
            intro="We introduce ShiftRound, which constrains every weight to a signed power of two "
            "so that matrix multiplication reduces to bit shifts and additions on integer "
            "accelerators.",
            datasets=("EdgeLM-Suite",),
        ),
    ),
    queries=(
        Query(
            "CrumbKV two-bit cache quantization",
            "keyword",
            ("quant-kv-crumbs",),
        ),
        Query(
            "shrinking the memory that chat models keep about earlier tokens so they can hold "
            "longer dialogues",
            "paraphrase",
            ("quant-kv-crumbs", "attention-evict-rank"),
        ),
        Query(
            "making a language model small enough for a phone by keeping weights in fewer bits",
            "paraphrase",
            ("quant-pocket-phone",),
        ),
        Query(
            "key-value cache memory",
            "keyword",
            ("quant-kv-crumbs", "attention-evict-rank", "peft-switchyard"),
        ),
        Query(
            "fine-tune LoRA adapters on a 3-bit model then merge them",
            "mixed",
            ("quant-lora-merge",),
        ),
        Query(
            "power-of-two weights that let inference run without multipliers",
            "mixed",
            ("quant-shift-round",),
        ),
    ),
)

ATTENTION = Topic(
    slug="long-context-attention",
    categories=("cs.CL", "cs.LG"),
    avoid=("attention", "long-context", "long context", "spars"),
    name_prefixes=("Sparse", "Long", "Stride", "Span", "Hop", "Ring", "Glide", "Reach"),
    contexts=(
        "Self-attention scales quadratically with sequence length, which makes long-context "
        "language modelling expensive in both memory and time.",
        "Extending the context window of pretrained transformers to hundreds of thousands of "
        "tokens is increasingly demanded by document and code assistants.",
        "Sparse attention patterns reduce the cost of long sequences, but fixed patterns often "
        "miss the few distant tokens that matter.",
        "Long-context benchmarks show that many models fail to use information placed in the "
        "middle of their input.",
        "Efficient attention kernels have made 128k-token contexts feasible, yet the prefill stage "
        "still dominates latency for long prompts.",
    ),
    veiled_contexts=(
        "Transformers compare every token with every other token, so their cost grows with the "
        "square of the input length and becomes prohibitive for book-length inputs.",
        "Reading entire code repositories or legal dossiers in one pass requires language models "
        "whose context windows span hundreds of thousands of tokens.",
        "Most of the pairwise token interactions computed by a transformer layer contribute "
        "almost nothing to its output.",
        "Position encodings trained on short sequences break down when a model is asked to read "
        "far beyond its training length.",
    ),
    gaps=(
        "Existing approximations trade accuracy for speed and fail on retrieval-heavy probes such "
        "as needle-in-a-haystack tests.",
        "Methods that extend position encodings require costly continued pretraining on long "
        "documents.",
        "Linear-time alternatives lose the precise recall that softmax attention provides.",
        "Most sparsity patterns are chosen by hand and do not adapt to the input.",
        "The memory needed for cached keys and values grows with the input and limits the batch "
        "size during decoding.",
    ),
    intros=(
        "We propose {method}, a drop-in layer that {mechanism}.",
        "We introduce {method}, which {mechanism}.",
        "We present {method}, an efficient transformer variant that {mechanism}.",
    ),
    details=(
        "The selection step costs $O(n \\log n)$ instead of $O(n^2)$ and maps well onto "
        "block-sparse GPU kernels.",
        "The overall cost is $O(n \\log n)$ in the sequence length $n$, down from quadratic.",
        "A fused kernel keeps the {component} in on-chip memory, avoiding extra reads from GPU "
        "memory.",
        "Adapting a pretrained checkpoint takes only {count}00 steps of continued training.",
        "We show that the approximation error decays exponentially with the number of selected "
        "keys.",
        "The {component} can be added to existing checkpoints without changing their weights.",
        "Because the memory has constant size, decoding time per token does not grow with the "
        "length of the input.",
    ),
    results=(
        "On {dataset}, {method} matches full attention within {small_dec} points while being "
        "{speedup}x faster at 64k tokens.",
        "It extends {model} to 128k tokens and improves accuracy on {dataset} by {gain} points "
        "over {baseline}.",
        "Prefill latency for a 100k-token prompt drops by {pct}% relative to an optimized dense "
        "kernel.",
        "Perplexity on {dataset} keeps decreasing up to 256k tokens, whereas {baseline} diverges "
        "beyond its training length.",
        "Peak memory during decoding falls by {pct}%, allowing {speedup}x larger batches.",
    ),
    closings=(
        "These results indicate that exact full attention is rarely necessary for long inputs.",
        "{method} lets modest hardware process inputs the length of a novel.",
    ),
    title_adjectives=(
        "Content-Adaptive",
        "Linear-Time",
        "Training-Free",
        "Exact",
        "Hardware-Aware",
        "Scalable",
    ),
    title_cores=(
        "Sparse Attention",
        "Long-Context Modelling",
        "Attention Approximation",
        "Context Window Extension",
        "Sequence Compression",
        "Sub-Quadratic Token Mixing",
    ),
    title_targets=(
        "Million-Token Inputs",
        "Long-Document Language Models",
        "Efficient Transformers",
        "Repository-Scale Code Models",
    ),
    slots={
        "mechanism": (
            "selects a content-dependent subset of keys for every query block using cheap "
            "low-rank sketches",
            "routes each query to a few learned clusters of keys and computes exact scores within "
            "them",
            "combines a sliding local window with a small set of global summary tokens",
            "rescales position frequencies so that a model trained on 4k tokens generalizes far "
            "beyond it",
            "processes the input in chunks and carries a compressed recurrent memory between them",
        ),
        "model": (
            "a 7B-parameter Llama-style model",
            "a 1.3B-parameter language model",
            "a 13B-parameter code model",
        ),
        "dataset": ("RULER", "LongBench", "PG-19", "SCROLLS", "InfiniteBench"),
        "metric": ("perplexity", "retrieval accuracy"),
        "baseline": (
            "sliding-window attention",
            "position interpolation",
            "linear attention",
            "dense full-length fine-tuning",
        ),
        "component": (
            "key selector",
            "summary-token bank",
            "recurrent memory",
            "frequency rescaling",
        ),
    },
    featured=(
        Featured(
            key="attention-evict-rank",
            method="EvictRank",
            title="EvictRank: Learning Which Cached Tokens to Forget During Long Generation",
            intro="We propose EvictRank, a tiny scoring network that predicts which cached keys "
            "and values will never be attended to again and evicts them, keeping the cache under "
            "a fixed budget of 2,048 tokens.",
        ),
        Featured(
            key="attention-dna",
            method="HelixWindow",
            title="HelixWindow: Sparse Attention over Megabase-Length DNA Sequences",
            intro="We introduce HelixWindow, a sparse attention pattern for genomic language "
            "models that follows the periodic structure of DNA, letting a single model read one "
            "million base pairs at once.",
            details=(
                "Predicting gene expression from megabase windows improves correlation by 0.07 "
                "over models restricted to 200 kilobases.",
            ),
            datasets=("MegaBase-Expr",),
        ),
        Featured(
            key="attention-folio-novels",
            method="Folio",
            title="Folio: Reading Whole Novels in One Pass with a Constant-Size Memory",
            intro="We introduce Folio, a transformer that reads a novel chapter by chapter and "
            "carries a fixed set of 64 memory slots from one chapter to the next, so the cost of "
            "reading grows linearly with the length of the book.",
            datasets=("NovelQA-Full",),
            veiled=True,
        ),
        Featured(
            key="attention-tidal-rope",
            method="TidalRoPE",
            title="TidalRoPE: Frequency-Dependent Interpolation of Rotary Position Embeddings for "
            "Million-Token Contexts",
            intro="We present TidalRoPE, which interpolates each rotary frequency band by a "
            "different factor, stretching low frequencies and leaving high frequencies intact, to "
            "extend a 4k-token model to one million tokens.",
        ),
    ),
    queries=(
        Query("HelixWindow", "keyword", ("attention-dna",)),
        Query(
            "a language model that digests full-length fiction without its cost blowing up as "
            "the text grows",
            "paraphrase",
            ("attention-folio-novels",),
        ),
        Query(
            "rotary position embedding interpolation to reach a million tokens",
            "mixed",
            ("attention-tidal-rope",),
        ),
        Query(
            "EvictRank",
            "keyword",
            ("attention-evict-rank",),
        ),
    ),
)

DIFFUSION = Topic(
    slug="image-diffusion",
    categories=("cs.CV", "cs.LG", "cs.GR"),
    avoid=("diffusion", "denois", "score-based"),
    name_prefixes=("Diff", "Denoise", "Pixel", "Glow", "Hue", "Canvas", "Fresco", "Lumo"),
    contexts=(
        "Diffusion models generate high-fidelity images but require dozens of network evaluations "
        "per sample.",
        "Text-to-image diffusion models are now widely used for creative work, yet controlling "
        "their outputs precisely remains difficult.",
        "Latent diffusion has made high-resolution image synthesis affordable by operating in a "
        "compressed autoencoder space.",
        "Score-based generative models learn to reverse a gradual noising process and produce "
        "state-of-the-art image quality.",
        "Distilling diffusion models into few-step generators is the main route to real-time "
        "image synthesis.",
    ),
    veiled_contexts=(
        "Generating a photorealistic picture by iteratively removing noise from random static is "
        "slow, often requiring fifty or more passes through a large network.",
        "Image generators conditioned on text prompts have become creative tools, but they "
        "struggle to place objects where the user asks.",
        "Modern image synthesis pipelines learn to undo a gradual corruption of pictures by "
        "Gaussian noise, one small step at a time.",
        "Sampling from iterative generative models of images remains far slower than from GANs, "
        "which produce a picture in a single forward pass.",
    ),
    gaps=(
        "Existing few-step samplers lose fine detail and produce oversaturated colours.",
        "Prompt-following failures, such as misplaced objects and ignored attributes, are not "
        "fixed by scaling alone.",
        "Classifier-free guidance improves prompt alignment but reduces diversity at high "
        "guidance scales.",
        "Fine-tuning the full generator for each new concept is expensive and leads to forgetting.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a training recipe that {mechanism}.",
        "We present {method}, an approach that {mechanism}.",
    ),
    details=(
        "The {component} is trained once and reused for every prompt.",
        "We derive the sampler from an ODE view of the generative process and bound its "
        "discretization error by $O(h^2)$ in the step size $h$.",
        "Training takes {count} GPU-days, a fraction of the cost of training the teacher.",
        "The {component} requires no labels beyond image-caption pairs.",
        "We also introduce a noise schedule that allocates more steps to coarse structure.",
        "The approach works with both pixel-space and latent-space generators.",
    ),
    results=(
        "On {dataset}, {method} achieves an FID of {fid} with only four sampling steps.",
        "Human raters prefer its samples over those of {baseline} in {keep}% of pairwise "
        "comparisons.",
        "Sampling is {speedup}x faster than {baseline} at equal image quality.",
        "Compositional accuracy on {dataset} improves by {gain} points, with the largest gains on "
        "prompts that name several objects.",
        "CLIP score improves by {small_dec} while FID stays unchanged.",
    ),
    closings=(
        "Our findings suggest that fast, controllable image generation need not sacrifice "
        "fidelity.",
        "{method} can be dropped into existing text-to-image pipelines without retraining them.",
    ),
    title_adjectives=(
        "Few-Step",
        "Controllable",
        "Efficient",
        "Preference-Aligned",
        "Layout-Guided",
        "Fast",
    ),
    title_cores=(
        "Diffusion Sampling",
        "Latent Diffusion",
        "Text-to-Image Diffusion",
        "Image Synthesis",
        "Iterative Image Generation",
        "Generative Image Modelling",
    ),
    title_targets=(
        "High-Resolution Images",
        "Compositional Prompts",
        "Creative Applications",
        "Real-Time Generation",
    ),
    slots={
        "mechanism": (
            "distils a pretrained teacher into a four-step student with a consistency objective "
            "on intermediate noise levels",
            "adapts the guidance scale per timestep based on the predicted image sharpness",
            "replaces the convolutional backbone with a transformer operating on latent patches",
            "aligns the generator with human preference scores through reward-weighted fine-tuning",
            "injects layout boxes into the cross-attention layers to control where objects appear",
        ),
        "dataset": ("ImageNet 256x256", "MS-COCO", "GenEval", "CIFAR-10", "PartiPrompts"),
        "baseline": (
            "DDIM",
            "DPM-Solver++",
            "progressive distillation",
            "classifier-free guidance",
        ),
        "component": ("consistency loss", "guidance schedule", "layout encoder", "reward model"),
        "fid": ("2.31", "3.07", "4.12", "5.46", "6.80", "8.95"),
        "metric": ("FID", "CLIP score"),
    },
    featured=(
        Featured(
            key="diffusion-tileable",
            method="TileDream",
            title="TileDream: Diffusion Models for Seamless Tileable Textures",
            intro="We propose TileDream, which makes a text-to-image diffusion model produce "
            "seamlessly tileable textures by denoising on a torus, wrapping every convolution and "
            "attention window around the image borders.",
            datasets=("TexturePatch-3k",),
        ),
        Featured(
            key="diffusion-count-right",
            method="CountRight",
            title="CountRight: Teaching Text-Conditioned Image Generators to Draw Exactly Five "
            "Apples",
            intro="We introduce CountRight, which fine-tunes a text-conditioned image generator "
            "with a detector-based reward that checks whether the number of objects in each "
            "picture matches the number written in the prompt.",
            details=(
                "On prompts requesting between two and ten objects, exact-count accuracy rises "
                "from 31% to 68%.",
            ),
            veiled=True,
        ),
        Featured(
            key="diffusion-inktrace",
            method="InkTrace",
            title="InkTrace: Invisible Watermarks Embedded in the Initial Noise of Diffusion "
            "Samplers",
            intro="We present InkTrace, which hides a 48-bit watermark in the initial noise of a "
            "diffusion sampler, so that the owner can later recover it by inverting the sampling "
            "process.",
        ),
        Featured(
            key="diffusion-orbit-clouds",
            method="OrbitPaint",
            title="OrbitPaint: Cloud Removal in Satellite Imagery with Radar-Conditioned Diffusion",
            intro="We propose OrbitPaint, a conditional diffusion model that removes clouds from "
            "optical satellite images by conditioning on radar observations of the same area.",
            datasets=("CloudyOrbit-12k",),
        ),
    ),
    queries=(
        Query("TileDream textures", "keyword", ("diffusion-tileable",)),
        Query(
            "getting picture generators to show the right quantity of things a prompt asks for",
            "paraphrase",
            ("diffusion-count-right",),
        ),
        Query(
            "tracing AI-generated images with watermarks hidden in the starting noise",
            "mixed",
            ("diffusion-inktrace",),
        ),
        Query(
            "filling in parts of earth observation photos hidden by weather using microwave "
            "sensing",
            "paraphrase",
            ("diffusion-orbit-clouds",),
        ),
    ),
)

TOPICS = (QUANTIZATION, ATTENTION, DIFFUSION)
