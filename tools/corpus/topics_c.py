"""Invented sentence pools: federated learning and privacy, speech recognition, robotics."""

from pools import Featured, Query, Topic

FEDERATED = Topic(
    slug="federated-privacy",
    categories=("cs.LG", "cs.CR", "cs.DC"),
    avoid=("federat", "priv"),
    name_prefixes=("Fed", "Priv", "Silo", "Hive", "Swarm", "Cohort", "Enclave", "Shard"),
    contexts=(
        "Federated learning trains a shared model across many clients without collecting their "
        "raw data on a central server.",
        "Differential privacy provides formal guarantees against leaking individual training "
        "examples, but the added noise hurts accuracy.",
        "Cross-device federated learning must cope with millions of intermittently available "
        "phones holding heterogeneous data.",
        "Gradient inversion attacks show that the updates exchanged in federated learning can "
        "reveal private training inputs.",
        "Fine-tuning large models with differential privacy is increasingly studied as "
        "organisations adapt them to sensitive data.",
    ),
    veiled_contexts=(
        "Hospitals would benefit from training models jointly, yet regulations prevent them from "
        "pooling patient records in one place.",
        "Keyboard suggestion models are trained on the phones where people type, with only model "
        "updates ever leaving the device.",
        "Training on data that stays on users' devices avoids central collection, but the devices "
        "hold very different data and join training only sporadically.",
        "Adding calibrated noise to training updates can mathematically bound how much a model "
        "reveals about any single person.",
    ),
    gaps=(
        "Client data are highly non-IID, which makes local models drift apart and slows "
        "convergence.",
        "Communication between clients and server, not computation, is the main bottleneck.",
        "Noise added for formal guarantees degrades accuracy sharply on small datasets.",
        "Malicious clients can poison the global model by sending crafted updates.",
        "Existing defences against reconstruction attacks either cost accuracy or lack guarantees.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a federated algorithm that {mechanism}.",
        "We present {method}, a training protocol that {mechanism}.",
    ),
    details=(
        "Each client performs {count} local steps between communication rounds.",
        "Our analysis yields a convergence rate of $O(1/\\sqrt{T})$ for non-convex objectives, "
        "matching centralized training.",
        "The {component} requires no communication beyond the model update itself.",
        "Secure aggregation ensures that the server sees only the sum of client updates.",
        "We track the cumulative privacy loss with Renyi accounting across all rounds.",
        "The protocol tolerates clients dropping out in the middle of a round.",
    ),
    results=(
        "On {dataset}, {method} reaches the target accuracy with {pct}% fewer communication "
        "rounds than {baseline}.",
        "Under a privacy budget of $\\varepsilon = {eps}$, accuracy on {dataset} drops by only "
        "{small_dec} points.",
        "Uplink traffic shrinks by a factor of {speedup} with no loss in accuracy.",
        "With 20% malicious clients, accuracy stays within {gain} points of the attack-free "
        "setting.",
        "Per-client accuracy improves by {gain} points over {baseline} across {count} clients.",
    ),
    closings=(
        "These results narrow the gap between collaborative and centralized training.",
        "{method} is compatible with secure aggregation and existing deployment stacks.",
    ),
    title_adjectives=(
        "Communication-Efficient",
        "Personalized",
        "Byzantine-Robust",
        "Differentially Private",
        "Heterogeneity-Aware",
        "Scalable",
    ),
    title_cores=(
        "Federated Learning",
        "Federated Optimization",
        "Private Training",
        "Decentralized Training",
        "On-Device Learning",
        "Collaborative Training",
    ),
    title_targets=(
        "Non-IID Clients",
        "Cross-Device Settings",
        "Hospital Networks",
        "Large Models",
    ),
    slots={
        "mechanism": (
            "corrects client drift with control variates estimated from stale server statistics",
            "sends only sign-compressed updates and accumulates the residual locally",
            "personalizes a shared backbone with lightweight client-specific heads",
            "clips and noises per-example gradients with an adaptive clipping threshold",
            "aggregates updates with a robust median that tolerates a fraction of malicious "
            "participants",
        ),
        "dataset": ("FEMNIST", "CIFAR-10 with Dirichlet splits", "Shakespeare", "StackOverflow"),
        "baseline": ("FedAvg", "FedProx", "SCAFFOLD", "DP-SGD"),
        "component": ("drift correction", "compression residual", "personal head", "clip schedule"),
        "eps": ("1", "2", "4", "8"),
        "metric": ("accuracy", "communication rounds"),
    },
    featured=(
        Featured(
            key="fed-wardshare",
            method="WardShare",
            title="WardShare: Training a Sepsis Early-Warning Model Across Twelve Hospitals "
            "Without Moving Patient Records",
            intro="We present WardShare, which trains a sepsis early-warning model across twelve "
            "hospitals that each keep their patient records on site, exchanging only encrypted "
            "model updates every night.",
            veiled=True,
        ),
        Featured(
            key="fed-exitround",
            method="ExitRound",
            title="ExitRound: Federated Unlearning of a Departing Client in a Single Round",
            intro="We propose ExitRound, which removes the influence of a client that leaves a "
            "federation in a single communication round, using stored update summaries instead "
            "of retraining from scratch.",
        ),
        Featured(
            key="fed-miragetext",
            method="MirageText",
            title="MirageText: Differentially Private Synthetic Text from Fine-Tuned Language "
            "Models",
            intro="We introduce MirageText, which fine-tunes a language model with differential "
            "privacy on sensitive support tickets and then samples a synthetic corpus that can be "
            "shared freely and used to train downstream classifiers.",
        ),
        Featured(
            key="fed-backtrace",
            method="Backtrace",
            title="Backtrace: Reconstructing Training Images from Federated Gradients of Vision "
            "Transformers",
            intro="We present Backtrace, a gradient inversion attack that reconstructs "
            "recognisable training images from the updates a client sends when fine-tuning a "
            "vision transformer, even for batches of 64 images.",
        ),
    ),
    queries=(
        Query(
            "several clinics jointly building a blood infection predictor while their data never "
            "leaves each site",
            "paraphrase",
            ("fed-wardshare",),
        ),
        Query("ExitRound unlearning", "keyword", ("fed-exitround",)),
        Query(
            "synthetic text that is safe to share, from a model fine-tuned with privacy guarantees",
            "mixed",
            ("fed-miragetext",),
        ),
        Query(
            "Backtrace federated gradients",
            "keyword",
            ("fed-backtrace",),
        ),
    ),
)

SPEECH = Topic(
    slug="speech-recognition",
    categories=("eess.AS", "cs.CL", "cs.SD"),
    avoid=("speech", "asr", "recogni"),
    name_prefixes=("Whisp", "Echo", "Voice", "Phon", "Tone", "Lyra", "Cadence", "Murmur"),
    contexts=(
        "Automatic speech recognition has improved dramatically with large self-supervised "
        "encoders, yet errors remain high for accented and low-resource speech.",
        "End-to-end ASR models map audio directly to text, but they need large amounts of "
        "transcribed speech.",
        "Streaming speech recognition must emit words with low latency, which limits how much "
        "future context the model can use.",
        "Multilingual speech recognition models cover hundreds of languages, but quality drops "
        "sharply for those with little data.",
        "Speech recognizers trained on read audiobooks degrade on conversational, noisy "
        "recordings.",
    ),
    veiled_contexts=(
        "Turning spoken audio into text automatically is essential for captioning, voice "
        "assistants and meeting transcription.",
        "Transcription systems trained on studio-quality audio often fail in crowded cafes, cars "
        "and call centres.",
        "Thousands of the world's languages have almost no transcribed audio, so voice "
        "technology rarely serves their speakers.",
        "Live captioning must produce text while a person is still talking, leaving little time "
        "to revise early guesses.",
    ),
    gaps=(
        "Collecting transcribed audio for every new domain is slow and expensive.",
        "Models hallucinate fluent but wrong text during long silences and music.",
        "Streaming models lag behind offline ones in accuracy because they cannot look ahead.",
        "Rare words such as product names and medical terms are transcribed poorly.",
        "Large encoders are too slow for use on phones and embedded devices.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, an ASR model that {mechanism}.",
        "We present {method}, a training method that {mechanism}.",
    ),
    details=(
        "The {component} adds fewer than {count} million parameters.",
        "Training uses {big} hours of unlabelled audio and only a few hours of transcriptions.",
        "A voice-activity detector suppresses output during non-speech segments.",
        "Decoding combines CTC and attention scores in a single beam search.",
        "The {component} is trained jointly with the acoustic encoder.",
        "We release transcripts for {count} newly annotated hours in under-served languages.",
    ),
    results=(
        "On {dataset}, {method} reduces word error rate by {pct}% relative to {baseline}.",
        "Word error rate on {dataset} falls to {wer}%, the best reported for models of this size.",
        "Recall of rare phrases improves by {gain} points with no degradation on general audio.",
        "Median emission latency is {count}0 ms, {speedup}x lower than {baseline}.",
        "Across {count} low-resource languages, character error rate falls by {pct}% on average.",
    ),
    closings=(
        "These results bring accurate transcription within reach of small devices.",
        "{method} requires no change to standard decoding toolkits.",
    ),
    title_adjectives=(
        "Streaming",
        "Multilingual",
        "Robust",
        "Low-Resource",
        "Contextual",
        "Efficient",
    ),
    title_cores=(
        "Speech Recognition",
        "ASR",
        "End-to-End Speech Recognition",
        "Transcription",
        "Spoken Language Modelling",
        "Audio-to-Text Decoding",
    ),
    title_targets=(
        "Accented Speech",
        "Noisy Environments",
        "Under-Served Languages",
        "Voice Assistants",
    ),
    slots={
        "mechanism": (
            "pseudo-labels untranscribed audio with a teacher model and filters the labels by "
            "confidence",
            "biases decoding toward a user-supplied list of rare phrases through a lightweight "
            "context encoder",
            "uses a chunked encoder with a small look-ahead window to trade latency against "
            "accuracy",
            "shares phoneme-level units across related languages to transfer from high- to "
            "low-resource languages",
            "distils a large encoder into a compact student suitable for phones",
        ),
        "dataset": (
            "LibriSpeech test-other",
            "Common Voice",
            "FLEURS",
            "CHiME-6",
            "Switchboard",
            "TED-LIUM 3",
        ),
        "baseline": (
            "Whisper large-v3",
            "a Conformer-Transducer",
            "wav2vec 2.0 fine-tuning",
            "a CTC baseline",
        ),
        "component": (
            "context encoder",
            "confidence filter",
            "look-ahead window",
            "unit inventory",
        ),
        "wer": ("3.1", "4.7", "6.2", "8.9", "11.4", "14.8"),
        "metric": ("word error rate", "latency"),
    },
    featured=(
        Featured(
            key="asr-fluentall",
            method="FluentAll",
            title="FluentAll: Transcribing People Who Stutter Without Erasing Their Words",
            intro="We present FluentAll, a transcription model fine-tuned on 300 hours of audio "
            "from people who stutter, which writes out repetitions and prolongations faithfully "
            "instead of dropping words or hallucinating fluent text.",
            veiled=True,
        ),
        Featured(
            key="asr-towertalk",
            method="TowerTalk",
            title="TowerTalk: Speech Recognition for Air Traffic Control Radio with Callsign "
            "Biasing",
            intro="We introduce TowerTalk, a speech recognizer for noisy air traffic control radio "
            "that conditions decoding on the callsigns of flights currently in the sector, taken "
            "from live surveillance data.",
        ),
        Featured(
            key="asr-mixlingo",
            method="MixLingo",
            title="MixLingo: Code-Switched Speech Recognition for Hindi-English Conversations",
            intro="We propose MixLingo, which handles utterances that switch between Hindi and "
            "English mid-sentence by predicting a language tag for every token and sharing one "
            "subword vocabulary across both scripts.",
            datasets=("HinglishTalk-200",),
        ),
        Featured(
            key="asr-slidehear",
            method="SlideHear",
            title="SlideHear: Using Lecture Slides as Context for Transcribing Technical Talks",
            intro="We introduce SlideHear, which reads the text on lecture slides with OCR and "
            "feeds it to the decoder as context, so that technical terms shown on screen are "
            "transcribed correctly.",
        ),
    ),
    queries=(
        Query(
            "voice typing that works for people with disfluencies like repeated syllables",
            "paraphrase",
            ("asr-fluentall",),
        ),
        Query("TowerTalk", "keyword", ("asr-towertalk",)),
        Query(
            "ASR for conversations that mix Hindi and English in one sentence",
            "mixed",
            ("asr-mixlingo",),
        ),
        Query(
            "using presentation text shown on screen to help write down what a professor says",
            "paraphrase",
            ("asr-slidehear",),
        ),
    ),
)

ROBOTICS = Topic(
    slug="robot-manipulation",
    categories=("cs.RO", "cs.LG", "cs.CV"),
    avoid=("robot", "manipulat", "embodied"),
    name_prefixes=("Robo", "Grasp", "Manip", "Arm", "Grip", "Dexter", "Servo", "Tactus"),
    contexts=(
        "Robot manipulation in unstructured homes requires policies that generalize to unseen "
        "objects and layouts.",
        "Imitation learning from human demonstrations has become the dominant way to teach "
        "robots dexterous manipulation skills.",
        "Vision-language-action models promise general-purpose robots that follow "
        "natural-language instructions.",
        "Embodied agents must ground language in perception and action to complete long-horizon "
        "household tasks.",
        "Sim-to-real transfer lets robots learn manipulation in simulation, but the reality gap "
        "remains a major obstacle.",
    ),
    veiled_contexts=(
        "Teaching a mechanical arm to fold laundry or load a dishwasher still requires hundreds "
        "of demonstrations per task.",
        "Multi-fingered hands can in principle handle any household object, but controlling "
        "their many joints is notoriously hard.",
        "Machines that act in the physical world must combine what they see with precise "
        "control of their grippers.",
        "Policies learned in physics simulators often fail on real hardware because of "
        "unmodelled friction and contact.",
    ),
    gaps=(
        "Collecting demonstrations is slow, and policies trained on them fail outside the "
        "demonstrated states.",
        "Policies that map pixels directly to actions struggle with contact-rich phases such as "
        "insertion.",
        "Long-horizon tasks compound small errors until the task fails.",
        "Large action models are too slow to run at the control frequencies needed for reactive "
        "behaviour.",
    ),
    intros=(
        "We propose {method}, which {mechanism}.",
        "We introduce {method}, a policy that {mechanism}.",
        "We present {method}, a learning framework that {mechanism}.",
    ),
    details=(
        "The policy runs at {count} Hz on an onboard GPU.",
        "We collect {count}0 teleoperated demonstrations per task with a low-cost leader-follower "
        "arm.",
        "The {component} is pretrained on a large collection of egocentric human video.",
        "A failure detector triggers recovery behaviours when the grasp slips.",
        "Training uses domain randomization over friction, mass and lighting.",
        "The {component} makes the policy robust to changes of camera viewpoint.",
    ),
    results=(
        "Across {count} real-world tasks, {method} raises the success rate by {rate} percentage "
        "points over {baseline}.",
        "On {dataset}, it achieves a success rate of {keep}% with unseen objects.",
        "Policies trained with {method} transfer from simulation to a real arm with a success "
        "rate of {keep}%.",
        "Success on contact-rich insertion improves from {low}% to {keep}%.",
        "Long-horizon task completion on {dataset} improves by {rate} points.",
    ),
    closings=(
        "These results point toward general-purpose household assistants trained from modest data.",
        "{method} runs on inexpensive hardware, lowering the barrier to real-world experiments.",
    ),
    title_adjectives=(
        "Dexterous",
        "Generalizable",
        "Language-Conditioned",
        "Contact-Rich",
        "Sample-Efficient",
        "Bimanual",
    ),
    title_cores=(
        "Robot Manipulation",
        "Robotic Grasping",
        "Imitation Learning",
        "Visuomotor Policy Learning",
        "Embodied Instruction Following",
        "Object Rearrangement",
    ),
    title_targets=(
        "Household Tasks",
        "Real-World Robots",
        "Unseen Objects",
        "Multi-Fingered Hands",
    ),
    slots={
        "mechanism": (
            "predicts chunks of future actions with a generative head and executes them with "
            "temporal ensembling",
            "conditions a transformer policy on tactile signals as well as camera images",
            "decomposes instructions into subgoals with a language model and verifies each one "
            "visually",
            "augments demonstrations by replaying them in simulation with randomized object poses",
            "learns a keypoint-based object representation that transfers across object instances",
        ),
        "dataset": ("LIBERO", "CALVIN", "RLBench", "ManiSkill", "Meta-World"),
        "baseline": (
            "Diffusion Policy",
            "behaviour cloning with a ResNet encoder",
            "an RT-1-style model",
            "an ACT baseline",
        ),
        "component": (
            "tactile encoder",
            "subgoal verifier",
            "keypoint representation",
            "visual encoder",
        ),
        "rate": ("18", "24", "31", "37", "45"),
        "low": ("22", "35", "41", "48"),
        "metric": ("success rate", "task completion"),
    },
    featured=(
        Featured(
            key="robot-clothcourier",
            method="ClothCourier",
            title="ClothCourier: Learning to Fold Crumpled Garments from Forty Demonstrations",
            intro="We present ClothCourier, a two-arm system that learns to flatten and fold "
            "crumpled shirts and towels from only forty human demonstrations by predicting where "
            "to grasp the fabric from a depth image.",
            veiled=True,
        ),
        Featured(
            key="robot-touchplug",
            method="TouchPlug",
            title="TouchPlug: Tactile Feedback for Inserting USB Connectors with a Robot Arm",
            intro="We introduce TouchPlug, which combines vision-based tactile sensors on both "
            "fingertips with a learned insertion policy to plug USB-C connectors into sockets "
            "with sub-millimetre tolerance.",
        ),
        Featured(
            key="robot-chefvla",
            method="ChefVLA",
            title="ChefVLA: A Vision-Language-Action Model That Follows Written Recipes",
            intro="We propose ChefVLA, a vision-language-action model that reads a written "
            "recipe, decomposes it into steps such as chopping and stirring, and executes them on "
            "a mobile manipulator in a real kitchen.",
        ),
        Featured(
            key="robot-glassgrip",
            method="GlassGrip",
            title="GlassGrip: Grasping Transparent Objects by Completing Missing Depth",
            intro="We present GlassGrip, which restores the missing depth measurements of glasses, "
            "bottles and other transparent objects with a learned completion network before "
            "planning a grasp.",
        ),
    ),
    queries=(
        Query(
            "machine that learns to tidy clothes into neat piles from a handful of examples",
            "paraphrase",
            ("robot-clothcourier",),
        ),
        Query("TouchPlug USB insertion", "keyword", ("robot-touchplug",)),
        Query(
            "robot cooking from written recipes",
            "mixed",
            ("robot-chefvla",),
        ),
        Query("GlassGrip", "keyword", ("robot-glassgrip",)),
    ),
)

TOPICS = (FEDERATED, SPEECH, ROBOTICS)
