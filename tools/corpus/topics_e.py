"""Invented sentence pools: LLM evaluation, vision-language models, causal inference and tables."""

from pools import Featured, Query, Topic

EVALUATION = Topic(
    slug="llm-evaluation",
    categories=("cs.CL", "cs.AI", "cs.LG"),
    avoid=("benchmark", "evaluat", "leaderboard"),
    name_prefixes=("Eval", "Bench", "Judge", "Probe", "Gauge", "Metric", "Audit", "Rubric"),
    contexts=(
        "Benchmarks drive progress in large language models, but many are saturated or "
        "contaminated by training data.",
        "LLM-as-a-judge evaluation scales cheaply, yet judges exhibit position and verbosity "
        "biases.",
        "Evaluating open-ended generation remains hard because reference-based metrics correlate "
        "poorly with human judgment.",
        "Leaderboards summarize model quality with a single number that hides large variation "
        "across tasks.",
        "Static benchmarks leak into pretraining corpora, inflating reported scores.",
    ),
    veiled_contexts=(
        "Measuring what large language models can actually do has become harder as they ace most "
        "existing test suites.",
        "Using one language model to grade the answers of another is cheap, but the grader "
        "prefers longer answers and the first option shown.",
        "Public test questions end up in web-scale training corpora, so high scores may reflect "
        "memorization rather than skill.",
        "A single aggregate score tells practitioners little about whether a model suits their "
        "particular use case.",
    ),
    gaps=(
        "Existing test sets cannot distinguish memorization from genuine reasoning.",
        "Human annotation is slow and expensive, and annotators disagree on open-ended tasks.",
        "Most suites measure single-turn performance, although real users interact over many "
        "turns.",
        "Scores are reported without confidence intervals, so small differences are often noise.",
        "Automatic graders are rarely validated against expert judgment.",
    ),
    intros=(
        "We introduce {method}, a benchmark that {mechanism}.",
        "We present {method}, an evaluation framework that {mechanism}.",
        "We propose {method}, a protocol that {mechanism}.",
    ),
    details=(
        "The suite contains {big} items across {count} domains, each verified by two annotators.",
        "We calibrate the automatic judge against {count}00 expert ratings.",
        "All items come with step-by-step reference solutions.",
        "The {component} is released together with a public leaderboard.",
        "Bootstrap resampling yields confidence intervals for every reported score.",
        "Items are refreshed every month to limit contamination.",
    ),
    results=(
        "Among {count} open and proprietary models, the best reaches only {score}% accuracy.",
        "Rankings produced by {method} correlate with human judgments at a Kendall's tau of "
        "{corr}.",
        "Accuracy drops by {gain} points on average when questions are regenerated, revealing "
        "contamination in {baseline}.",
        "Position bias of automatic judges falls by {pct}% after calibration.",
        "Models that lead on {baseline} fall by up to {count} places in our ranking.",
    ),
    closings=(
        "We argue that reported scores should always come with uncertainty estimates.",
        "{method} is open source and designed to be extended by the community.",
    ),
    title_adjectives=(
        "Contamination-Resistant",
        "Multi-Turn",
        "Reliable",
        "Expert-Written",
        "Dynamic",
        "Fine-Grained",
    ),
    title_cores=(
        "LLM Evaluation",
        "Benchmarking Language Models",
        "LLM-as-a-Judge",
        "Model Assessment",
        "Capability Measurement",
        "Testing Reasoning",
    ),
    title_targets=(
        "Large Language Models",
        "Chat Assistants",
        "Expert Domains",
        "Code Generation",
    ),
    slots={
        "mechanism": (
            "regenerates its test questions from templates so that they cannot have been seen "
            "during training",
            "measures reasoning with paired questions that differ in a single critical fact",
            "scores multi-turn conversations with rubrics written by domain experts",
            "estimates contamination by comparing model likelihoods on original and paraphrased "
            "items",
            "ranks models with a Bradley-Terry model fitted to pairwise judgments and reports "
            "confidence intervals",
        ),
        "dataset": ("MMLU", "GSM8K", "HumanEval", "MT-Bench"),
        "baseline": ("MMLU", "GSM8K", "HumanEval", "MT-Bench"),
        "component": ("item generator", "judge calibration", "expert rubric", "contamination test"),
        "corr": ("0.71", "0.78", "0.83", "0.88"),
        "metric": ("accuracy", "rank correlation"),
    },
    featured=(
        Featured(
            key="eval-taxtrial",
            method="TaxTrial",
            title="TaxTrial: Can Language Models Prepare a Household Tax Return?",
            intro="We present TaxTrial, a collection of 600 realistic household tax scenarios with "
            "returns prepared by certified accountants, which tests whether language models can "
            "complete an entire return correctly.",
            veiled=True,
        ),
        Featured(
            key="eval-mirrorjudge",
            method="MirrorJudge",
            title="MirrorJudge: Measuring Self-Preference Bias When LLMs Judge Their Own Outputs",
            intro="We introduce MirrorJudge, an evaluation protocol showing that LLM judges rate "
            "answers written by their own model family higher, and that swapping in a judge from "
            "another family reorders leaderboards.",
        ),
        Featured(
            key="eval-freshmath",
            method="FreshMath",
            title="FreshMath: A Monthly Refreshed Benchmark of Olympiad Problems Published After "
            "Model Training",
            intro="We present FreshMath, a benchmark of olympiad-style mathematics problems "
            "collected each month after the training cutoff of the evaluated models, so that "
            "scores cannot be inflated by memorization.",
        ),
        Featured(
            key="eval-clinicdialog",
            method="ClinicDialog",
            title="ClinicDialog: Evaluating Multi-Turn Diagnostic Conversations of LLMs with "
            "Simulated Patients",
            intro="We introduce ClinicDialog, which evaluates language models acting as doctors in "
            "multi-turn conversations with simulated patients who reveal symptoms only when "
            "asked, scored by physicians.",
        ),
    ),
    queries=(
        Query(
            "checking whether chatbots can do someone's yearly filing with the revenue service",
            "paraphrase",
            ("eval-taxtrial",),
        ),
        Query("MirrorJudge self-preference bias", "keyword", ("eval-mirrorjudge",)),
        Query(
            "math competition problems released after the models were trained, to avoid "
            "memorized answers",
            "mixed",
            ("eval-freshmath",),
        ),
        Query(
            "ClinicDialog",
            "keyword",
            ("eval-clinicdialog",),
        ),
    ),
)

VISION_LANGUAGE = Topic(
    slug="vision-language-models",
    categories=("cs.CV", "cs.CL", "cs.AI"),
    avoid=("vision-language", "vision language", "multimodal", "vlm"),
    name_prefixes=("Vista", "Lens", "Pano", "Ocu", "Iris", "Glimpse", "Sight", "Prism"),
    contexts=(
        "Vision-language models connect a pretrained image encoder to a large language model and "
        "answer questions about images.",
        "Multimodal large language models have made rapid progress on visual question answering, "
        "yet they still hallucinate objects that are not in the image.",
        "Contrastive vision-language pretraining on web image-text pairs yields strong zero-shot "
        "classifiers.",
        "High-resolution inputs such as documents and charts remain challenging for "
        "vision-language models with a fixed number of image tokens.",
        "Instruction-tuned multimodal models are increasingly used to read screenshots, charts "
        "and scanned documents.",
    ),
    veiled_contexts=(
        "Chat assistants that can look at a photo and answer questions about it are now widely "
        "deployed.",
        "Pairing an image encoder with a text generator lets a single system caption pictures, "
        "read charts and explain diagrams.",
        "Models trained on billions of captioned web images learn to match pictures with their "
        "descriptions.",
        "Assistants that read screenshots and scanned forms must recognise small text and fine "
        "layout details.",
    ),
    gaps=(
        "These models often describe objects that are not present, a failure known as object "
        "hallucination.",
        "Fixed-resolution encoders lose small text and fine detail.",
        "The number of visual tokens grows quickly with resolution and dominates inference cost.",
        "Spatial reasoning, such as telling left from right or counting, remains weak.",
        "Instruction data for visual tasks are scarce and often machine-generated with errors.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a vision-language model that {mechanism}.",
        "We present {method}, a training recipe that {mechanism}.",
    ),
    details=(
        "The image encoder stays frozen, and only a projector with {count}M parameters is trained.",
        "The {component} reduces the number of visual tokens by {pct}%.",
        "We construct {big} instruction examples covering charts, tables, diagrams and photos.",
        "The {component} is trained in two stages: alignment, then instruction tuning.",
        "Inference at 1344-pixel resolution fits on a single 24 GB GPU.",
        "Training pairs are filtered with a captioning model to remove mismatched text.",
    ),
    results=(
        "On {dataset}, {method} improves accuracy by {gain} points over {baseline}.",
        "Object hallucination on POPE decreases by {pct}% relative to {baseline}.",
        "Zero-shot ImageNet accuracy reaches {score}%, with gains on fine-grained categories.",
        "Document understanding on {dataset} improves by {gain} points while inference is "
        "{speedup}x faster.",
        "Human raters prefer its answers in {keep}% of side-by-side comparisons.",
    ),
    closings=(
        "These results show that careful use of visual tokens matters more than encoder size.",
        "{method} can be attached to any open-weight language model.",
    ),
    title_adjectives=(
        "High-Resolution",
        "Grounded",
        "Efficient",
        "Hallucination-Resistant",
        "Instruction-Tuned",
        "Compositional",
    ),
    title_cores=(
        "Vision-Language Models",
        "Multimodal LLMs",
        "Vision-Language Pretraining",
        "Visual Question Answering",
        "Image-Text Alignment",
        "Document Understanding",
    ),
    title_targets=(
        "Charts and Documents",
        "Fine-Grained Perception",
        "Open-World Images",
        "Screenshots",
    ),
    slots={
        "mechanism": (
            "tiles high-resolution images into crops and merges their tokens with a learned "
            "compressor",
            "grounds each generated phrase in a bounding box and penalizes unsupported "
            "descriptions",
            "prunes redundant visual tokens after the first decoder layers",
            "aligns image and text encoders with a caption-level contrastive loss and hard "
            "negatives",
            "generates instruction data by rendering synthetic charts and documents with known "
            "answers",
        ),
        "dataset": ("VQAv2", "TextVQA", "DocVQA", "ChartQA", "MMMU", "GQA"),
        "baseline": ("LLaVA-1.5", "a CLIP ViT-L baseline", "BLIP-2", "a Q-Former connector"),
        "component": ("token compressor", "grounding head", "projector", "crop scheduler"),
        "metric": ("accuracy", "hallucination rate"),
    },
    featured=(
        Featured(
            key="vlm-scenenarrator",
            method="SceneNarrator",
            title="SceneNarrator: Describing Surroundings to Blind Pedestrians from a "
            "Chest-Mounted Camera",
            intro="We present SceneNarrator, an assistant that looks at frames from a "
            "chest-mounted camera and tells blind pedestrians, in one short sentence, about "
            "obstacles, crossings and signs ahead.",
            veiled=True,
        ),
        Featured(
            key="vlm-plotreader",
            method="PlotReader",
            title="PlotReader: Multimodal LLMs That Recover the Data Tables Behind Scientific "
            "Plots",
            intro="We introduce PlotReader, a multimodal language model trained to reconstruct "
            "the exact data table behind bar, line and scatter plots, and then answer questions "
            "by reasoning over the recovered numbers.",
            datasets=("PlotTable-80k",),
        ),
        Featured(
            key="vlm-radiantvqa",
            method="RadiantVQA",
            title="RadiantVQA: A Vision-Language Model for Answering Questions About Chest X-Rays",
            intro="We propose RadiantVQA, a vision-language model that answers clinicians' "
            "free-form questions about chest X-rays and highlights the image region that supports "
            "each answer.",
        ),
        Featured(
            key="vlm-clickpath",
            method="ClickPath",
            title="ClickPath: Grounding Instructions to Buttons in Smartphone Screenshots",
            intro="We present ClickPath, a vision-language model that maps a typed instruction to "
            "the exact button or text field in a smartphone screenshot, enabling an agent to "
            "operate apps step by step.",
        ),
    ),
    queries=(
        Query(
            "helping people who cannot see get around town by talking about what a wearable "
            "camera captures",
            "paraphrase",
            ("vlm-scenenarrator",),
        ),
        Query(
            "PlotReader plots",
            "keyword",
            ("vlm-plotreader",),
        ),
        Query(
            "answering doctors' questions about chest radiographs with highlighted evidence",
            "mixed",
            ("vlm-radiantvqa",),
        ),
        Query(
            "agent tapping the right buttons in smartphone screenshots from a typed request",
            "mixed",
            ("vlm-clickpath",),
        ),
    ),
)

CAUSAL = Topic(
    slug="causal-tabular",
    categories=("stat.ML", "cs.LG", "stat.ME", "econ.EM"),
    avoid=("causa", "tabular", "treatment effect"),
    name_prefixes=("Causa", "Tab", "Uplift", "Counter", "Probe", "Row", "Ledger", "Pivot"),
    contexts=(
        "Estimating causal effects from observational data requires adjusting for confounders "
        "that influence both treatment and outcome.",
        "Heterogeneous treatment effect estimation aims to predict how an intervention affects "
        "each individual.",
        "Deep learning still lags behind gradient-boosted trees on many tabular datasets.",
        "Causal discovery seeks to recover the structure of cause-effect relations from data, "
        "but the search space grows super-exponentially.",
        "Foundation models for tabular data promise accurate predictions on new tables without "
        "task-specific training.",
    ),
    veiled_contexts=(
        "Deciding whether a drug, a policy or an advertisement actually works requires knowing "
        "what would have happened without it.",
        "Spreadsheet-like data with mixed numeric and categorical columns remain the most common "
        "format in industry.",
        "Randomized trials are expensive, so analysts increasingly rely on observational records "
        "to estimate the impact of interventions.",
        "Recovering which variables drive which others, rather than merely correlate with them, "
        "is a central goal of scientific data analysis.",
    ),
    gaps=(
        "Unmeasured confounding biases standard estimators, and sensitivity analyses are rarely "
        "reported.",
        "Neural networks overfit small tables and struggle with irregular, heavy-tailed features.",
        "Existing estimators have poor coverage when overlap between groups is limited.",
        "Discovery algorithms assume no hidden variables, which rarely holds in practice.",
        "Methods tuned on simulated outcomes do not transfer to real interventions.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, an estimator that {mechanism}.",
        "We present {method}, a model that {mechanism}.",
    ),
    details=(
        "The estimator is $\\sqrt{n}$-consistent and asymptotically normal under standard "
        "conditions.",
        "We derive finite-sample confidence intervals that remain valid under mild "
        "misspecification.",
        "The {component} handles categorical features without one-hot encoding.",
        "Pretraining on {big} synthetic datasets takes {count} hours on one GPU.",
        "The {component} is fitted with cross-fitting to avoid overfitting bias.",
        "A sensitivity parameter quantifies how strong hidden confounding must be to overturn "
        "the conclusion.",
    ),
    results=(
        "On {dataset}, {method} reduces the error of the estimated effects by {pct}% relative "
        "to {baseline}.",
        "Confidence intervals achieve {keep}% coverage at the nominal 95% level.",
        "Across {count} benchmark tables, it outperforms a tuned {baseline} in average accuracy.",
        "Structural Hamming distance to the true structure falls by {pct}% on {dataset}.",
        "Applied to a real marketing campaign, {method} identifies a subgroup whose uplift is "
        "{speedup} times the average.",
    ),
    closings=(
        "These results make credible effect estimates practical for everyday analytics.",
        "{method} is available as a small Python package with a scikit-learn interface.",
    ),
    title_adjectives=(
        "Doubly Robust",
        "Scalable",
        "Calibrated",
        "Confounding-Aware",
        "Interpretable",
        "Zero-Shot",
    ),
    title_cores=(
        "Causal Inference",
        "Treatment Effect Estimation",
        "Causal Discovery",
        "Tabular Deep Learning",
        "Uplift Modelling",
        "Learning on Spreadsheet Data",
    ),
    title_targets=(
        "Observational Data",
        "Heterogeneous Populations",
        "Industrial Tables",
        "Policy Evaluation",
    ),
    slots={
        "mechanism": (
            "combines doubly robust scores with flexible neural nuisance models and cross-fitting",
            "learns balanced representations of treated and control units with an adversarial "
            "penalty",
            "performs in-context prediction on unseen tables with a transformer pretrained on "
            "synthetic data",
            "searches over directed acyclic structures with a continuous acyclicity constraint",
            "encodes each numeric feature with piecewise-linear embeddings before a small "
            "transformer",
        ),
        "dataset": ("IHDP", "ACIC 2016", "Twins", "the OpenML-CC18 suite", "Adult Income"),
        "baseline": ("XGBoost", "causal forests", "TARNet", "CatBoost", "NOTEARS"),
        "component": (
            "nuisance model",
            "feature embedding",
            "acyclicity penalty",
            "balancing head",
        ),
        "metric": ("PEHE", "accuracy"),
    },
    featured=(
        Featured(
            key="causal-recessimpact",
            method="RecessImpact",
            title="RecessImpact: Did Longer School Breaks Improve Exam Results? Evidence from "
            "3,000 Schools",
            intro="We present RecessImpact, which estimates how lengthening the midday break "
            "changed pupils' exam results across 3,000 schools that adopted the reform at "
            "different times, using staggered difference-in-differences with neural outcome "
            "models.",
            veiled=True,
        ),
        Featured(
            key="causal-tableseer",
            method="TableSeer",
            title="TableSeer: A Tabular Foundation Model Pretrained on 50 Million Synthetic Tables",
            intro="We introduce TableSeer, a tabular foundation model pretrained on 50 million "
            "synthetic tables drawn from random structural causal models, which classifies the "
            "rows of a new table in a single forward pass without any training.",
        ),
        Featured(
            key="causal-priorlink",
            method="PriorLink",
            title="PriorLink: Language Models as Priors for Causal Discovery",
            intro="We propose PriorLink, which asks a large language model whether one variable "
            "plausibly causes another based on their names, and uses the answers as a prior over "
            "edges in causal discovery.",
        ),
        Featured(
            key="causal-peeksafe",
            method="PeekSafe",
            title="PeekSafe: Always-Valid Confidence Sequences for Online A/B Tests with "
            "Heterogeneous Effects",
            intro="We present PeekSafe, which provides confidence sequences for online A/B tests "
            "that remain valid no matter how often analysts look at the results, while "
            "estimating heterogeneous treatment effects.",
        ),
    ),
    queries=(
        Query(
            "did giving children more playtime raise their grades",
            "paraphrase",
            ("causal-recessimpact",),
        ),
        Query(
            "TableSeer tabular foundation model",
            "keyword",
            ("causal-tableseer",),
        ),
        Query(
            "language models suggesting cause-and-effect links from variable names",
            "mixed",
            ("causal-priorlink",),
        ),
        Query(
            "PeekSafe",
            "keyword",
            ("causal-peeksafe",),
        ),
    ),
)

TOPICS = (EVALUATION, VISION_LANGUAGE, CAUSAL)
