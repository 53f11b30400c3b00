"""Invented sentence pools: retrieval-augmented generation, RLHF and alignment, graph networks."""

from pools import Featured, Query, Topic

RAG = Topic(
    slug="retrieval-augmented-generation",
    categories=("cs.CL", "cs.IR", "cs.AI"),
    avoid=("retriev", "rag", "augment"),
    name_prefixes=("Rag", "Retro", "Fetch", "Seek", "Cite", "Lookup", "Atlas", "Scout"),
    contexts=(
        "Retrieval-augmented generation grounds the outputs of large language models in "
        "documents fetched from an external corpus.",
        "Retrieval-augmented language models reduce hallucination on knowledge-intensive tasks, "
        "but their quality hinges on what the retriever returns.",
        "RAG pipelines have become the standard way to let assistants answer questions about "
        "private or rapidly changing documents.",
        "Dense retrievers paired with generative readers now dominate open-domain question "
        "answering.",
        "Multi-hop questions require a retrieval-augmented system to gather and combine evidence "
        "from several documents.",
    ),
    veiled_contexts=(
        "Language models that consult an external document collection before answering can cite "
        "sources and stay current without retraining.",
        "Grounding a chatbot's answers in passages fetched from a search index is the most common "
        "way to curb fabricated facts.",
        "Enterprise assistants must answer questions about internal wikis and manuals that were "
        "never part of their pretraining data.",
        "Pairing a search engine with a text generator lets a system answer questions whose "
        "answers change every week.",
    ),
    gaps=(
        "When the fetched passages are irrelevant or contradictory, the generator often copies "
        "their errors.",
        "Fetching a fixed number of passages for every query wastes context on easy questions and "
        "starves hard ones.",
        "Current pipelines train the search component and the reader separately, so neither "
        "adapts to the other.",
        "Long fetched contexts are expensive to process, and much of their content is redundant.",
        "Existing systems rarely indicate which passage supports which claim, making answers hard "
        "to verify.",
    ),
    intros=(
        "We propose {method}, a framework that {mechanism}.",
        "We introduce {method}, which {mechanism}.",
        "We present {method}, a pipeline that {mechanism}.",
    ),
    details=(
        "The {component} is trained with weak supervision derived from question-answer pairs "
        "alone.",
        "At inference time, the {component} adds about {count} milliseconds per query.",
        "We index {big} passages in a compact vector store that fits in the memory of a single "
        "machine.",
        "A confidence estimate lets the model abstain when the evidence supports no answer.",
        "The generator sees passages in order of estimated usefulness rather than similarity "
        "score.",
        "Our approach is agnostic to the underlying language model and search engine.",
    ),
    results=(
        "On {dataset}, {method} improves exact match by {gain} points over {baseline}.",
        "Citation precision on {dataset} reaches {score}%, and answers contain {pct}% fewer "
        "unsupported claims.",
        "It reads {pct}% fewer tokens than {baseline} while matching its accuracy.",
        "On multi-hop benchmarks such as {dataset}, the gains grow to {gain} points.",
        "{method} with a 7B reader outperforms {baseline} with a 70B reader on {dataset}.",
    ),
    closings=(
        "These results show that deciding what to read matters as much as the reader itself.",
        "{method} is a practical default for assistants over private document collections.",
    ),
    title_adjectives=(
        "Adaptive",
        "Faithful",
        "Citation-Aware",
        "Efficient",
        "Self-Reflective",
        "Multi-Hop",
    ),
    title_cores=(
        "Retrieval-Augmented Generation",
        "Retrieval for Question Answering",
        "RAG Pipelines",
        "Evidence-Grounded Generation",
        "Search-Grounded Question Answering",
        "Passage Compression",
    ),
    title_targets=(
        "Knowledge-Intensive Tasks",
        "Enterprise Assistants",
        "Open-Domain QA",
        "Long Documents",
    ),
    slots={
        "mechanism": (
            "decides per query whether to search at all and how many passages to read",
            "compresses fetched passages into short evidence summaries before generation",
            "trains the search component with feedback from the downstream answer quality",
            "interleaves search steps with chain-of-thought reasoning for multi-hop questions",
            "attaches a citation to each generated sentence and verifies it against the source "
            "passage",
            "reranks candidate passages with a small cross-encoder distilled from a large "
            "language model",
        ),
        "dataset": ("Natural Questions", "HotpotQA", "TriviaQA", "MuSiQue", "PopQA"),
        "baseline": (
            "standard top-k RAG",
            "a dense passage pipeline",
            "a long-context reader without search",
            "BM25 with a fixed reader",
        ),
        "component": (
            "passage reranker",
            "evidence compressor",
            "search controller",
            "citation verifier",
        ),
        "metric": ("exact match", "citation precision"),
    },
    featured=(
        Featured(
            key="rag-groundcheck",
            method="GroundCheck",
            title="GroundCheck: Evaluating Whether Retrieval-Augmented Generation Systems Answer "
            "from the Evidence",
            intro="We present GroundCheck, a benchmark of 4,200 questions with annotated gold "
            "passages and deliberately planted distractor documents, designed to measure whether "
            "retrieval-augmented systems answer from the evidence rather than from memory.",
            also="llm-evaluation",
        ),
        Featured(
            key="rag-aircraft-manuals",
            method="ManualMind",
            title="ManualMind: Answering Technicians' Questions from Ten Thousand Aircraft "
            "Maintenance Manuals",
            intro="We introduce ManualMind, an assistant that looks up relevant pages in a library "
            "of ten thousand aircraft maintenance manuals, including their tables and wiring "
            "diagrams, before composing an answer for the technician.",
            datasets=("HangarQA",),
            veiled=True,
        ),
        Featured(
            key="rag-chrono",
            method="ChronoRAG",
            title="ChronoRAG: Time-Aware Retrieval for Questions Whose Answers Change",
            intro="We propose ChronoRAG, which stamps every passage with its publication date and "
            "trains the retriever to prefer evidence that was valid at the moment a question "
            "refers to, such as who led a team in a given season.",
            datasets=("TimeShiftQA",),
        ),
        Featured(
            key="rag-spreadsheets",
            method="TabSeek",
            title="TabSeek: Retrieval-Augmented Generation over Spreadsheets and Relational Tables",
            intro="We present TabSeek, which splits large spreadsheets into searchable row and "
            "column chunks and lets the generator run small SQL programs over the table fragments "
            "it fetches.",
        ),
    ),
    queries=(
        Query(
            "GroundCheck faithfulness of retrieval-augmented generation",
            "keyword",
            ("rag-groundcheck",),
        ),
        Query(
            "chatbot that reads airplane repair documentation before responding to mechanics",
            "paraphrase",
            ("rag-aircraft-manuals",),
        ),
        Query(
            "retrieval that knows when facts were true, for questions with time-dependent answers",
            "mixed",
            ("rag-chrono",),
        ),
        Query(
            "TabSeek",
            "keyword",
            ("rag-spreadsheets",),
        ),
    ),
)

ALIGNMENT = Topic(
    slug="rlhf-alignment",
    categories=("cs.CL", "cs.LG", "cs.AI"),
    avoid=("rlhf", "align", "human feedback", "preference"),
    name_prefixes=("Align", "Pref", "Reward", "Kind", "Civil", "Tact", "Honest", "Sage"),
    contexts=(
        "Reinforcement learning from human feedback (RLHF) is the dominant recipe for aligning "
        "large language models with human preferences.",
        "Direct preference optimization removes the explicit reward model from RLHF, but remains "
        "sensitive to the quality of preference data.",
        "Aligning language models requires large collections of pairwise human preference "
        "judgments, which are costly to gather.",
        "Reward models trained on human preferences are imperfect proxies, and optimizing them "
        "too hard leads to reward hacking.",
        "Safety alignment aims to make assistants refuse harmful requests without becoming "
        "unhelpful on benign ones.",
    ),
    veiled_contexts=(
        "Chat assistants are fine-tuned so that their answers match what people judge helpful "
        "and harmless, usually from comparisons of two candidate responses.",
        "Teaching a language model to behave as its users intend typically relies on annotators "
        "who pick the better of two replies.",
        "A learned scorer of response quality can be exploited by the policy it supervises, "
        "yielding verbose or flattering outputs.",
        "Making assistants decline dangerous requests while still answering ordinary ones is a "
        "central concern for deployment.",
    ),
    gaps=(
        "Comparison labels are noisy, and annotators frequently disagree on subjective prompts.",
        "Policy optimization with PPO is unstable and requires careful tuning of many "
        "hyperparameters.",
        "Optimizing a fixed reward model too aggressively exploits its blind spots, a failure "
        "known as reward hacking.",
        "Models tuned for harmlessness often over-refuse, declining requests that are perfectly "
        "safe.",
        "Offline methods cannot correct errors that only appear in the policy's own generations.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, an alignment method that {mechanism}.",
        "We present {method}, a training objective that {mechanism}.",
    ),
    details=(
        "The {component} is trained once and frozen during policy optimization.",
        "Our objective has a closed-form optimum and needs no sampling during training.",
        "We collect {big} comparisons across {count} domains to train and evaluate the method.",
        "A KL penalty to the reference policy keeps generations fluent and diverse.",
        "Uncertain comparisons are sent to a second annotator, which halves labelling cost for "
        "the same label quality.",
        "Training is stable across learning rates spanning two orders of magnitude.",
    ),
    results=(
        "On {dataset}, {method} raises the win rate against {baseline} to {keep}%.",
        "Reward hacking, measured as the gap between proxy and gold reward, shrinks by {pct}%.",
        "Over-refusal on benign prompts drops by {pct}% with no loss in safety.",
        "Automatic and human judges agree with each other in {keep}% of our comparisons.",
        "Average response length decreases by {pct}% while helpfulness ratings improve by {gain} "
        "points.",
    ),
    closings=(
        "Our results suggest that better use of comparison data matters more than more of it.",
        "{method} is simple to add to existing post-training pipelines.",
    ),
    title_adjectives=(
        "Robust",
        "Noise-Aware",
        "Online",
        "Length-Controlled",
        "Safe",
        "Scalable",
    ),
    title_cores=(
        "Preference Optimization",
        "RLHF",
        "Language Model Alignment",
        "Reward Modelling",
        "Learning from Pairwise Comparisons",
        "Assistant Post-Training",
    ),
    title_targets=(
        "Helpful Assistants",
        "Large Language Models",
        "Safer Chatbots",
        "Open-Ended Dialogue",
    ),
    slots={
        "mechanism": (
            "weights each comparison by an estimate of annotator agreement",
            "regularizes the policy toward an ensemble of reward models instead of a single one",
            "generates its own comparison pairs on-policy and labels them with an AI judge",
            "optimizes a length-normalized objective that discourages verbose answers",
            "separates helpfulness and harmlessness into two reward heads combined at decoding "
            "time",
        ),
        "dataset": ("AlpacaEval 2.0", "MT-Bench", "Anthropic HH", "UltraFeedback", "XSTest"),
        "baseline": ("DPO", "PPO-based RLHF", "supervised fine-tuning", "IPO"),
        "component": ("agreement estimator", "reward ensemble", "AI judge", "safety head"),
        "metric": ("win rate", "refusal rate"),
    },
    featured=(
        Featured(
            key="rlhf-echoguard",
            method="EchoGuard",
            title="EchoGuard: Reducing Sycophancy by Penalizing Agreement with Planted User Errors",
            intro="We introduce EchoGuard, which trains a reward model on prompts where the user "
            "states a plausible but false belief and penalizes responses that go along with it, "
            "directly targeting sycophancy.",
        ),
        Featured(
            key="rlhf-storynanny",
            method="StoryNanny",
            title="StoryNanny: Teaching Chat Assistants to Answer Questions from Young Children",
            intro="We present StoryNanny, which fine-tunes a chat assistant on comparisons written "
            "by primary-school teachers, who choose between two candidate answers to questions "
            "asked by children aged six to eleven.",
            datasets=("KidAsk-9k",),
            veiled=True,
        ),
        Featured(
            key="rlhf-polycharter",
            method="PolyCharter",
            title="PolyCharter: Multilingual Constitutional Alignment Without Translated "
            "Preference Data",
            intro="We propose PolyCharter, which aligns a model in 40 languages by having it "
            "critique and revise its own answers against a written list of principles, without "
            "collecting any translated preference data.",
        ),
        Featured(
            key="rlhf-tripwire",
            method="TripWire",
            title="TripWire: Detecting Reward Hacking with Canary Prompts During RLHF",
            intro="We introduce TripWire, a monitor that inserts canary prompts with known ideal "
            "answers into every training batch and halts policy optimization when the reward "
            "keeps rising while canary quality falls.",
        ),
    ),
    queries=(
        Query(
            "stopping assistants from going along with a user's mistaken beliefs",
            "paraphrase",
            ("rlhf-echoguard",),
        ),
        Query(
            "training a chatbot on judgments from school educators so it talks appropriately "
            "to kids",
            "paraphrase",
            ("rlhf-storynanny",),
        ),
        Query(
            "PolyCharter constitutional alignment",
            "keyword",
            ("rlhf-polycharter",),
        ),
        Query("catching reward hacking early with canary prompts", "mixed", ("rlhf-tripwire",)),
    ),
)

GRAPHS = Topic(
    slug="graph-neural-networks",
    categories=("cs.LG", "cs.SI", "stat.ML"),
    avoid=("graph", "gnn", "message passing", "message-passing"),
    name_prefixes=("Graph", "Node", "Edge", "Mesh", "Orbit", "Hub", "Link", "Path"),
    contexts=(
        "Graph neural networks learn node representations by passing messages along edges and "
        "are widely used for molecules, social networks and recommendation.",
        "Message-passing GNNs suffer from over-smoothing as depth increases, limiting their "
        "ability to capture long-range dependencies.",
        "Graph transformers replace local message passing with global attention over all nodes, "
        "at a quadratic cost.",
        "The expressive power of standard GNNs is bounded by the Weisfeiler-Leman graph "
        "isomorphism test.",
        "Scaling graph learning to billion-edge graphs requires sampling neighbourhoods, which "
        "introduces bias and variance.",
    ),
    veiled_contexts=(
        "Many datasets consist of entities linked by relations, such as users and the items they "
        "buy, and models must exploit these connections.",
        "Neural networks that repeatedly aggregate information from each node's neighbours make "
        "all nodes look alike after a few layers, a phenomenon called over-smoothing.",
        "Learning on networks of interacting entities, such as citation networks or power lines, "
        "requires models that do not depend on how the entities are ordered.",
        "Predicting missing links in large knowledge bases is a core problem for search and "
        "recommendation systems.",
    ),
    gaps=(
        "Deep models over-smooth node features, while shallow ones miss long-range interactions.",
        "Neighbourhood sampling makes training scalable but hurts accuracy on heterophilous "
        "data, where linked nodes tend to differ.",
        "Most models assume a fixed topology and fail when edges appear or disappear over time.",
        "Existing expressive architectures pay for their power with cubic memory in the number "
        "of nodes.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a graph neural network that {mechanism}.",
        "We present {method}, an architecture that {mechanism}.",
    ),
    details=(
        "Each layer costs $O(|E|)$ time, linear in the number of edges.",
        "We prove that {method} is strictly more expressive than the 1-WL test.",
        "The {component} is computed once during preprocessing and reused in every epoch.",
        "Training fits on one GPU for inputs with up to {big} nodes.",
        "The model is permutation equivariant by construction.",
        "A contrastive pretraining stage makes the {component} useful even with few labels.",
    ),
    results=(
        "On {dataset}, {method} improves accuracy by {gain} points over {baseline}.",
        "Node classification accuracy on heterophilous benchmarks rises by {gain} points on "
        "average.",
        "It trains {speedup}x faster than {baseline} on {dataset} with comparable accuracy.",
        "For link prediction on {dataset}, {method} improves Hits@50 by {gain} points.",
        "Depth can grow to {count} layers without any loss from over-smoothing.",
    ),
    closings=(
        "These findings suggest that topology, not depth, limits current architectures.",
        "{method} is easy to plug into existing graph learning libraries.",
    ),
    title_adjectives=(
        "Expressive",
        "Scalable",
        "Heterophily-Aware",
        "Temporal",
        "Deep",
        "Sampling-Efficient",
    ),
    title_cores=(
        "Graph Neural Networks",
        "Message Passing",
        "Graph Transformers",
        "Node Representation Learning",
        "Learning on Relational Data",
        "Link Prediction",
    ),
    title_targets=(
        "Large Networks",
        "Heterophilous Data",
        "Dynamic Interaction Data",
        "Knowledge Bases",
    ),
    slots={
        "mechanism": (
            "rewires the input topology by adding shortcut edges between distant but "
            "structurally similar nodes",
            "adapts the aggregation function per node depending on the local homophily level",
            "injects random-walk positional encodings into every layer",
            "maintains a memory per node that is updated whenever an edge event arrives",
            "samples subgraphs with a learned policy that favours informative neighbourhoods",
        ),
        "dataset": ("ogbn-arxiv", "ogbn-products", "Cora", "ogbl-collab", "Roman-empire", "ZINC"),
        "baseline": ("GCN", "GraphSAGE", "GAT", "GPS graph transformers"),
        "component": ("rewiring step", "positional encoding", "node memory", "sampling policy"),
        "metric": ("accuracy", "Hits@50"),
    },
    featured=(
        Featured(
            key="gnn-voltnet",
            method="VoltNet",
            title="VoltNet: Predicting Cascading Failures in Power Grids with Message Passing",
            intro="We propose VoltNet, a message-passing network that predicts which "
            "transmission lines will fail next during a cascading blackout, trained on 1.2 "
            "million simulated outages.",
        ),
        Featured(
            key="gnn-ringleader",
            method="RingLeader",
            title="RingLeader: Spotting Coordinated Fraud Rings in Payment Networks",
            intro="We introduce RingLeader, which learns representations of accounts from the "
            "money transfers between them and flags tightly connected groups of accounts that "
            "move funds in cycles, a hallmark of organized fraud.",
            datasets=("PayFlow-Fraud",),
            veiled=True,
        ),
        Featured(
            key="gnn-looplens",
            method="LoopLens",
            title="LoopLens: Provably Counting Cycles of Length up to Seven with Message Passing",
            intro="We present LoopLens, a message-passing architecture that augments each node "
            "with counts of the cycles it belongs to, and we prove that it counts all cycles of "
            "length up to seven, beyond the reach of the 1-WL test.",
        ),
        Featured(
            key="gnn-chipmesh",
            method="ChipMesh",
            title="ChipMesh: Graph Neural Networks for Predicting Timing Violations in Chip "
            "Netlists",
            intro="We propose ChipMesh, a graph neural network over gate-level netlists that "
            "predicts timing violations before placement and routing, saving hours of signoff "
            "analysis.",
            datasets=("NetlistTime-50",),
        ),
    ),
    queries=(
        Query(
            "anticipating chain reactions of breakdowns in electricity transmission",
            "paraphrase",
            ("gnn-voltnet",),
        ),
        Query(
            "finding groups of bank accounts laundering money in circles",
            "paraphrase",
            ("gnn-ringleader",),
        ),
        Query("LoopLens", "keyword", ("gnn-looplens",)),
        Query(
            "GNN that predicts chip timing violations from circuit netlists",
            "mixed",
            ("gnn-chipmesh",),
        ),
    ),
)

TOPICS = (RAG, ALIGNMENT, GRAPHS)
