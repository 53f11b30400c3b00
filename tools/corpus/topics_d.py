"""Invented sentence pools: time-series forecasting, molecules and proteins, PEFT."""

from pools import Featured, Query, Topic

FORECASTING = Topic(
    slug="time-series-forecasting",
    categories=("cs.LG", "stat.ML", "stat.AP"),
    avoid=("time series", "time-series", "forecast"),
    name_prefixes=("Chrono", "Tempo", "Season", "Horizon", "Trend", "Lag", "Cycle", "Pulse"),
    contexts=(
        "Time-series forecasting underpins decisions in energy, retail and transportation.",
        "Transformer-based forecasters have been challenged by simple linear models on "
        "long-horizon benchmarks.",
        "Foundation models for time series aim to forecast unseen series zero-shot, much as "
        "language models handle unseen text.",
        "Probabilistic forecasting must quantify uncertainty rather than only predict the mean.",
        "Multivariate time series with thousands of channels, such as traffic sensors, exhibit "
        "complex dependencies between channels.",
    ),
    veiled_contexts=(
        "Predicting next week's electricity demand or next month's sales from past measurements "
        "drives planning in many industries.",
        "Sensor readings from power plants, roads and hospitals arrive as long sequences whose "
        "future values operators need to anticipate.",
        "Estimating the range of plausible future values, rather than a single guess, is crucial "
        "when over- and under-supply have different costs.",
        "Models pretrained on millions of recorded signals could predict the future of a new "
        "signal without any task-specific training.",
    ),
    gaps=(
        "Existing models overfit to the training horizon and degrade under distribution shift.",
        "Channel-independent models ignore correlations between variables, while channel-mixing "
        "models overfit.",
        "Seasonal patterns at several periods, such as daily and weekly cycles, are hard to "
        "capture jointly.",
        "Point predictions give no indication of their own reliability.",
        "Missing values and irregular sampling break the assumptions of most architectures.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a forecasting model that {mechanism}.",
        "We present {method}, an architecture that {mechanism}.",
    ),
    details=(
        "The model has only {count}0 thousand parameters and trains in minutes on a CPU.",
        "Reversible instance normalization removes level shifts between training and test periods.",
        "The {component} handles missing observations without imputation.",
        "Inference costs $O(L \\log L)$ for a look-back window of length $L$.",
        "The {component} is shared across all channels, keeping memory constant in the number of "
        "variables.",
        "We calibrate the predictive intervals with conformal prediction on a held-out window.",
    ),
    results=(
        "On {dataset}, {method} lowers mean squared error by {pct}% relative to {baseline}.",
        "Across {count} benchmark datasets, it ranks first on average in both MSE and MAE.",
        "Zero-shot accuracy on unseen series matches that of a supervised {baseline}.",
        "The continuous ranked probability score improves by {pct}% while interval coverage "
        "stays at the nominal level.",
        "Predictions remain accurate up to a horizon of 720 steps, where {baseline} degrades "
        "sharply.",
    ),
    closings=(
        "These results question the need for ever larger architectures in this domain.",
        "{method} is light enough to retrain daily in production.",
    ),
    title_adjectives=(
        "Long-Horizon",
        "Probabilistic",
        "Zero-Shot",
        "Multivariate",
        "Lightweight",
        "Robust",
    ),
    title_cores=(
        "Time-Series Forecasting",
        "Forecasting",
        "Sequence Prediction",
        "Demand Prediction",
        "Temporal Modelling",
        "Multi-Step Prediction",
    ),
    title_targets=(
        "Energy Systems",
        "Retail Demand",
        "Sensor Networks",
        "Irregularly Sampled Data",
    ),
    slots={
        "mechanism": (
            "splits each series into patches and models them with a lightweight transformer",
            "decomposes the input into trend and seasonal components learned end to end",
            "represents the input in the frequency domain and mixes only the dominant frequencies",
            "outputs full predictive distributions with a conditional normalizing flow",
            "pretrains on a large corpus of heterogeneous sequences with a masked reconstruction "
            "objective",
        ),
        "dataset": ("ETTh1", "Electricity", "Traffic", "Weather", "M4", "Exchange-Rate"),
        "baseline": ("PatchTST", "DLinear", "ARIMA model", "N-BEATS", "iTransformer"),
        "component": (
            "patch encoder",
            "decomposition block",
            "frequency mixer",
            "normalizing flow",
        ),
        "metric": ("MSE", "CRPS"),
    },
    featured=(
        Featured(
            key="ts-docksense",
            method="DockSense",
            title="DockSense: Predicting Bike-Share Station Shortages Six Hours Ahead",
            intro="We present DockSense, which predicts six hours ahead which bike-share stations "
            "in a city will run empty or full, from past rentals, weather and the local event "
            "calendar.",
            datasets=("CityCycle-3yr",),
            veiled=True,
        ),
        Featured(
            key="ts-tessera",
            method="Tessera",
            title="Tessera: A Zero-Shot Time-Series Foundation Model Pretrained on 40 Billion "
            "Observations",
            intro="We introduce Tessera, a time-series foundation model pretrained on 40 billion "
            "observations from energy, finance, climate and web traffic, which forecasts unseen "
            "series zero-shot from their history alone.",
        ),
        Featured(
            key="ts-glucocast",
            method="GlucoCast",
            title="GlucoCast: Forecasting Blood Glucose in Type 1 Diabetes from Wearable Sensors",
            intro="We propose GlucoCast, which forecasts blood glucose 60 minutes ahead from "
            "continuous glucose monitor readings, insulin doses and meal logs, and warns of "
            "impending hypoglycaemia.",
        ),
        Featured(
            key="ts-gustnet",
            method="GustNet",
            title="GustNet: Probabilistic Forecasting of Wind Farm Power with Turbine Wake "
            "Modelling",
            intro="We present GustNet, which produces probabilistic forecasts of the power output "
            "of every turbine in a wind farm by modelling how gusts propagate downwind from one "
            "turbine to the next.",
        ),
    ),
    queries=(
        Query(
            "anticipating when rental bicycle docks will have no bikes left",
            "paraphrase",
            ("ts-docksense",),
        ),
        Query(
            "Tessera time-series foundation model",
            "keyword",
            ("ts-tessera",),
        ),
        Query(
            "warning people with diabetes before their sugar levels drop dangerously low",
            "paraphrase",
            ("ts-glucocast",),
        ),
        Query(
            "probabilistic wind farm power prediction that accounts for turbine wakes",
            "mixed",
            ("ts-gustnet",),
        ),
    ),
)

MOLECULES = Topic(
    slug="molecular-ml",
    categories=("q-bio.BM", "cs.LG", "physics.chem-ph"),
    avoid=("protein", "molecul", "drug"),
    name_prefixes=("Mol", "Prot", "Fold", "Chem", "Ligand", "Atom", "Helix", "Bond"),
    contexts=(
        "Machine learning for protein structure prediction has transformed structural biology, "
        "but designing new proteins remains difficult.",
        "Protein language models trained on millions of sequences capture evolutionary "
        "constraints useful for predicting function and fitness.",
        "Generative models of molecules promise to accelerate drug discovery by proposing "
        "candidates with desired properties.",
        "Predicting how small molecules bind to protein pockets is central to structure-based "
        "drug design.",
        "Equivariant neural networks that respect rotations and translations have become the "
        "standard for modelling 3D molecular structure.",
    ),
    veiled_contexts=(
        "Designing enzymes and antibodies that fold into a desired shape could transform "
        "medicine and industrial chemistry.",
        "Chains of amino acids fold into three-dimensional shapes that determine their "
        "biological function.",
        "Finding chemical compounds that attach tightly to a disease target typically requires "
        "screening millions of candidates in the lab.",
        "Models of atoms and bonds must give the same answer however a structure is rotated or "
        "translated in space.",
    ),
    gaps=(
        "Existing generative models often propose structures that are chemically invalid or "
        "impossible to synthesize.",
        "Docking scores correlate poorly with measured binding affinities.",
        "Sequence-only models ignore the 3D structure that determines function.",
        "Labelled experimental data are scarce and noisy, which limits supervised learning.",
        "Sampling conformations with physics simulations is prohibitively slow.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a generative model that {mechanism}.",
        "We present {method}, an equivariant network that {mechanism}.",
    ),
    details=(
        "The network is equivariant to rotations and translations in $SE(3)$.",
        "The {component} is pretrained on {big} structures from public databases.",
        "Sampling a candidate takes {count} seconds on a single GPU.",
        "A property predictor guides generation toward high affinity and low toxicity.",
        "The {component} needs only sequence input at inference time.",
        "We validate selected designs with molecular dynamics simulations.",
    ),
    results=(
        "On {dataset}, {method} improves the design success rate by {gain} points over {baseline}.",
        "Designed candidates have {pct}% higher predicted affinity than those of {baseline}.",
        "Spearman correlation with measured fitness reaches {corr} on {dataset}.",
        "Of the generated candidates, {keep}% are valid, unique and novel.",
        "Docking success within 2 angstroms RMSD rises to {keep}% on {dataset}.",
    ),
    closings=(
        "These results bring computational design a step closer to routine laboratory use.",
        "{method} can be combined with wet-lab screening in an active learning loop.",
    ),
    title_adjectives=(
        "Equivariant",
        "Structure-Aware",
        "Pocket-Conditioned",
        "Generative",
        "Data-Efficient",
        "All-Atom",
    ),
    title_cores=(
        "Protein Design",
        "Molecule Generation",
        "Protein Language Modelling",
        "Binding Affinity Prediction",
        "Drug Discovery",
        "Biomolecular Structure Modelling",
    ),
    title_targets=(
        "Enzyme Engineering",
        "Antibody Discovery",
        "Small Ligands",
        "Therapeutic Targets",
    ),
    slots={
        "mechanism": (
            "generates backbone structures with a flow-matching objective on rigid-body frames",
            "jointly designs sequence and structure conditioned on a target binding site",
            "predicts binding poses by iteratively refining ligand coordinates inside the pocket",
            "fine-tunes a pretrained language model on deep mutational scanning data to predict "
            "fitness",
            "builds candidates fragment by fragment while enforcing synthesizability rules",
        ),
        "dataset": ("PDBbind", "CASF-2016", "ProteinGym", "CATH 4.2", "GEOM-Drugs", "QM9"),
        "baseline": ("RFdiffusion", "DiffDock", "ProteinMPNN", "AutoDock Vina"),
        "component": (
            "structure encoder",
            "pocket encoder",
            "fitness head",
            "fragment vocabulary",
        ),
        "corr": ("0.48", "0.52", "0.57", "0.61", "0.66"),
        "metric": ("success rate", "Spearman correlation"),
    },
    featured=(
        Featured(
            key="mol-polychew",
            method="PolyChew",
            title="PolyChew: Designing Enzymes That Break Down PET Plastic at Room Temperature",
            intro="We present PolyChew, which designs enzyme variants that break down PET plastic "
            "at room temperature by proposing amino-acid substitutions with a structure-aware "
            "generative model and screening them in silico.",
            veiled=True,
        ),
        Featured(
            key="mol-paratope",
            method="ParaTope",
            title="ParaTope: Antibody CDR Loop Design Conditioned on Epitope Structure",
            intro="We introduce ParaTope, which designs the CDR loops of an antibody conditioned "
            "on the 3D structure of a target epitope; 12 of 40 tested designs bound their target "
            "in wet-lab assays.",
        ),
        Featured(
            key="mol-retroroute",
            method="RetroRoute",
            title="RetroRoute: Retrosynthesis Planning with Monte Carlo Tree Search over Reaction "
            "Templates",
            intro="We propose RetroRoute, which plans multi-step retrosynthesis routes for a "
            "target molecule by combining a learned single-step reaction model with Monte Carlo "
            "tree search over commercially available building blocks.",
        ),
        Featured(
            key="mol-scentmap",
            method="ScentMap",
            title="ScentMap: Predicting Odour Descriptors of Molecules from Their Structure",
            intro="We present ScentMap, an equivariant model that predicts the smell of a "
            "molecule, such as fruity, woody or musky, from its structure, trained on 5,000 "
            "molecules labelled by perfumers.",
            datasets=("PerfumerOdor-5k",),
        ),
    ),
    queries=(
        Query(
            "engineering biological catalysts to digest bottle waste",
            "paraphrase",
            ("mol-polychew",),
        ),
        Query(
            "ParaTope antibodies",
            "keyword",
            ("mol-paratope",),
        ),
        Query(
            "retrosynthesis planning: making a molecule from purchasable building blocks",
            "mixed",
            ("mol-retroroute",),
        ),
        Query(
            "predicting what a chemical smells like from its structure",
            "mixed",
            ("mol-scentmap",),
        ),
    ),
)

PEFT = Topic(
    slug="parameter-efficient-finetuning",
    categories=("cs.CL", "cs.LG", "cs.CV"),
    avoid=("lora", "low-rank", "adapter", "parameter-efficient", "peft"),
    name_prefixes=("Lora", "Adapt", "Rank", "Tune", "Delta", "Patch", "Sprout", "Graft"),
    contexts=(
        "Parameter-efficient fine-tuning adapts large pretrained models by training only a small "
        "number of additional parameters.",
        "Low-rank adaptation (LoRA) has become the most popular way to fine-tune large language "
        "models on a single GPU.",
        "Adapters inserted between transformer layers let one backbone serve many tasks, each "
        "with its own small module.",
        "As foundation models grow, full fine-tuning for every downstream task becomes "
        "prohibitively expensive in memory and storage.",
        "Serving hundreds of LoRA adapters on one base model raises new systems challenges.",
    ),
    veiled_contexts=(
        "Updating every weight of a billion-parameter model for each new task is wasteful when "
        "only a tiny fraction of the parameters needs to change.",
        "Specializing a pretrained language model by training a few small matrices while "
        "freezing the rest has become common practice.",
        "Storing one full copy of a large model per customer is infeasible, so providers train "
        "compact task-specific weight deltas instead.",
        "Cheap fine-tuning methods that touch under one percent of the weights often trail full "
        "fine-tuning on hard reasoning tasks.",
    ),
    gaps=(
        "Existing methods fix the rank of every update in advance, although layers differ in how "
        "much they need to change.",
        "Low-rank updates underperform full fine-tuning on tasks far from the pretraining "
        "distribution.",
        "Merging task-specific modules causes interference between tasks.",
        "Training is still bottlenecked by optimizer state and activation memory.",
        "Hyperparameters such as the learning rate and scaling factor must be retuned for each "
        "task.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a parameter-efficient method that {mechanism}.",
        "We present {method}, a fine-tuning scheme that {mechanism}.",
    ),
    details=(
        "The method trains only {pct_small}% of the parameters of the base model.",
        "The {component} can be merged into the frozen weights after training, so inference "
        "cost is unchanged.",
        "Optimizer memory drops by {pct}% compared with full fine-tuning.",
        "The {component} is initialized so that training starts exactly at the pretrained model.",
        "We show that the update spans the top-$k$ subspace of the full gradient.",
        "Modules trained for different tasks can be swapped at request time on the same server.",
    ),
    results=(
        "On {dataset}, {method} matches full fine-tuning while training {pct_small}% of the "
        "parameters.",
        "It improves average accuracy on {dataset} by {gain} points over {baseline} at the same "
        "parameter budget.",
        "Instruction-tuned with {method}, {model} outperforms its {baseline} counterpart on "
        "{dataset}.",
        "Training throughput is {speedup}x higher than with {baseline} on a single GPU.",
        "Merging modules for {count} tasks loses only {small_dec} points of average accuracy.",
    ),
    closings=(
        "These results make per-task specialization affordable for small teams.",
        "{method} is a drop-in replacement in common fine-tuning libraries.",
    ),
    title_adjectives=(
        "Adaptive",
        "Memory-Efficient",
        "Rank-Flexible",
        "Mergeable",
        "Lightweight",
        "Scalable",
    ),
    title_cores=(
        "Low-Rank Adaptation",
        "Parameter-Efficient Fine-Tuning",
        "Adapter Tuning",
        "Sparse Weight Updates",
        "Task-Specific Weight Deltas",
        "Partial Fine-Tuning",
    ),
    title_targets=(
        "Large Language Models",
        "Multi-Task Serving",
        "Vision Transformers",
        "Instruction Tuning",
    ),
    slots={
        "mechanism": (
            "allocates rank across layers adaptively using a gradient-based importance score",
            "decomposes each update into magnitude and direction and trains them separately",
            "shares a single pair of random projections across layers and learns only per-layer "
            "scaling vectors",
            "initializes the update from the principal singular vectors of the pretrained weight",
            "routes each input to a mixture of small experts attached to the frozen backbone",
        ),
        "dataset": ("GLUE", "commonsense reasoning suites", "GSM8K", "VTAB-1k", "MATH"),
        "baseline": ("LoRA", "DoRA", "prefix tuning", "full fine-tuning", "BitFit"),
        "component": ("rank allocator", "magnitude vector", "scaling vector", "expert router"),
        "model": ("a 7B base model", "a 13B base model", "an 8B instruction model"),
        "metric": ("accuracy", "trainable parameters"),
    },
    featured=(
        Featured(
            key="peft-courtdelta",
            method="CourtDelta",
            title="CourtDelta: Specializing One Legal Language Model to Ninety Jurisdictions with "
            "Swappable 2 MB Weight Patches",
            intro="We present CourtDelta, which trains one 2 MB weight patch per jurisdiction on "
            "top of a frozen legal language model, letting a single server answer questions under "
            "the laws of ninety countries by swapping patches per request.",
            veiled=True,
        ),
        Featured(
            key="peft-switchyard",
            method="Switchyard",
            title="Switchyard: Serving Thousands of LoRA Adapters on One GPU with Unified Paging",
            intro="We introduce Switchyard, a serving system that keeps thousands of LoRA adapters "
            "in a paged memory pool shared with the key-value cache and batches requests for "
            "different adapters into one kernel call.",
        ),
        Featured(
            key="peft-chromatune",
            method="ChromaTune",
            title="ChromaTune: Tuning Only Layer-Norm Parameters of Vision Transformers for "
            "Few-Shot Transfer",
            intro="We propose ChromaTune, which adapts a vision transformer to new image "
            "classification tasks by tuning only its layer-norm gains and biases, fewer than "
            "0.05% of its weights.",
        ),
        Featured(
            key="peft-orthograft",
            method="OrthoGraft",
            title="OrthoGraft: Orthogonal Adapters Against Catastrophic Forgetting in Continual "
            "Fine-Tuning",
            intro="We present OrthoGraft, which trains each new task's adapter in the subspace "
            "orthogonal to all previous adapters, so that learning a sequence of 15 tasks causes "
            "almost no forgetting of the earlier ones.",
        ),
    ),
    queries=(
        Query(
            "one shared model customized cheaply for each country's laws with tiny add-on weights",
            "paraphrase",
            ("peft-courtdelta",),
        ),
        Query("Switchyard", "keyword", ("peft-switchyard",)),
        Query(
            "few-shot transfer of vision transformers by tuning only normalization layers",
            "mixed",
            ("peft-chromatune",),
        ),
        Query(
            "continual fine-tuning with orthogonal adapters that keep earlier tasks intact",
            "mixed",
            ("peft-orthograft",),
        ),
    ),
)

TOPICS = (FORECASTING, MOLECULES, PEFT)
