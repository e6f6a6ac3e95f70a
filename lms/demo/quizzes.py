"""Demo quiz content: final assessments (with anatomy hotspots) and lesson checks.

Pure data. Hotspot regions are in image-relative coordinates (0..1) and match the images
drawn by scripts/make_quiz_images.py from the landmarks below (lms/demo/media/*.png).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoImage:
    name: str  # lms/demo/media/<name>.png
    title: str
    alt: str
    # (label, x, y): landmarks drawn and labelled on the image
    landmarks: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True)
class DemoQuestion:
    kind: str  # single, multiple, true_false, hotspot
    prompt: str
    explanation: str
    choices: tuple[tuple[str, bool], ...] = ()
    partial_credit: bool = False
    image: str | None = None
    region: dict | None = None


@dataclass(frozen=True)
class DemoQuiz:
    course: str
    title: str
    kind: str  # "course" (final) or "lesson"
    questions: tuple[DemoQuestion, ...]
    pass_mark: int = 70
    max_attempts: int | None = 3
    time_limit_minutes: int | None = None
    feedback: str = "after_attempt"
    lesson_slug: str | None = None
    required: bool = True
    extra: dict = field(default_factory=dict)


IMAGES: tuple[DemoImage, ...] = (
    DemoImage(
        "upper-back",
        "Upper back, posterior view",
        "Stylised posterior view of the neck and shoulders with labelled landmarks: C7 "
        "spinous process, acromion on each side, spine and superior angle of the scapula.",
        (
            ("C7", 0.50, 0.27),
            ("Acromion", 0.17, 0.36),
            ("Acromion", 0.83, 0.36),
            ("Superior angle", 0.34, 0.40),
            ("Spine of scapula", 0.28, 0.47),
            ("Inferior angle", 0.34, 0.75),
        ),
    ),
    DemoImage(
        "low-back",
        "Low back, posterior view",
        "Stylised posterior view of the low back with labelled landmarks: 12th rib, "
        "lumbar spinous processes L1 to L5, iliac crest and sacrum.",
        (
            ("12th rib", 0.30, 0.22),
            ("L1", 0.50, 0.24),
            ("L3", 0.50, 0.44),
            ("L5", 0.50, 0.64),
            ("Iliac crest", 0.22, 0.66),
            ("Sacrum", 0.50, 0.82),
        ),
    ),
    DemoImage(
        "hip",
        "Hip and buttock, posterior view",
        "Stylised posterior view of the pelvis and hips with labelled landmarks: iliac crest, "
        "sacrum, posterior superior iliac spine, greater trochanter and ischial tuberosity.",
        (
            ("Iliac crest", 0.27, 0.16),
            ("PSIS", 0.42, 0.30),
            ("Sacrum", 0.50, 0.42),
            ("Greater trochanter", 0.16, 0.55),
            ("Ischial tuberosity", 0.38, 0.74),
        ),
    ),
)

# Target regions, shared by the image script (it shades nothing: learners must find them).
UPPER_TRAPEZIUS_TARGET = {"shape": "circle", "cx": 0.68, "cy": 0.30, "r": 0.06}
LEVATOR_TARGET = {"shape": "circle", "cx": 0.34, "cy": 0.36, "r": 0.05}
QL_TARGET = {
    "shape": "polygon",
    "points": [[0.58, 0.26], [0.74, 0.26], [0.76, 0.62], [0.58, 0.60]],
}
BL23_TARGET = {"shape": "circle", "cx": 0.43, "cy": 0.34, "r": 0.04}
PIRIFORMIS_TARGET = {
    "shape": "polygon",
    "points": [[0.45, 0.40], [0.20, 0.50], [0.22, 0.58], [0.46, 0.48]],
}
GLUTEUS_MEDIUS_TARGET = {"shape": "circle", "cx": 0.76, "cy": 0.26, "r": 0.07}


def _tf(prompt: str, true: bool, explanation: str) -> DemoQuestion:
    return DemoQuestion("true_false", prompt, explanation, (("True", true), ("False", not true)))


UPPER_TRAPEZIUS_FINAL = DemoQuiz(
    course="upper-trapezius",
    title="Upper trapezius: final assessment",
    kind="course",
    pass_mark=80,
    max_attempts=3,
    time_limit_minutes=30,
    feedback="after_passing",
    questions=(
        DemoQuestion(
            "hotspot",
            "Click the common upper trapezius trigger point on the patient's left shoulder "
            "(the right side of the image).",
            "The classic point lies in the free upper border, midway between C7 and the "
            "acromion, close to GB21.",
            image="upper-back",
            region=UPPER_TRAPEZIUS_TARGET,
        ),
        DemoQuestion(
            "hotspot",
            "Click where you would palpate the levator scapulae trigger point near its "
            "insertion (the patient's right side, left of the image).",
            "Levator scapulae inserts at the superior angle of the scapula; the tender point "
            "lies just above it, at the angle of the neck.",
            image="upper-back",
            region=LEVATOR_TARGET,
        ),
        DemoQuestion(
            "single",
            "Where does the upper trapezius typically refer pain?",
            "Upper trapezius refers up the posterolateral neck to the mastoid and temple.",
            (
                ("Posterolateral neck, mastoid and temple", True),
                ("Lateral forearm and thumb", False),
                ("Heel and instep", False),
                ("Anterior thigh", False),
            ),
        ),
        DemoQuestion(
            "single",
            "Which acupoint lies closest to the main upper trapezius trigger point?",
            "GB21 (Jianjing) sits at the top of the shoulder over the upper trapezius.",
            (("GB21", True), ("ST36", False), ("LI4", False), ("BL57", False)),
        ),
        _tf(
            "Deep perpendicular needling at GB21 is safe because the lung apex lies far below.",
            False,
            "The lung apex lies beneath GB21: needle obliquely or pinch the muscle up.",
        ),
        DemoQuestion(
            "multiple",
            "Which complaints commonly involve upper trapezius trigger points? (Select all.)",
            "Tension-type headache and neck pain are the classic presentations.",
            (
                ("Tension-type headache", True),
                ("Neck pain", True),
                ("Plantar heel pain", False),
                ("Carpal tunnel numbness", False),
            ),
            partial_credit=True,
        ),
        DemoQuestion(
            "single",
            "Which palpation suits the upper trapezius best?",
            "Pincer palpation lifts the free border between thumb and fingers.",
            (
                ("Pincer palpation between thumb and fingers", True),
                ("Deep flat palpation through the abdomen", False),
                ("Palpation with the patient standing on one leg", False),
            ),
        ),
        _tf(
            "A local twitch response during needling suggests the needle reached the taut band.",
            True,
            "A twitch is a sign the needle met the trigger point's taut band.",
        ),
        DemoQuestion(
            "single",
            "A patient has temporal headaches worse after long computer work. Which muscle do "
            "you examine first?",
            "Sustained shoulder elevation at the desk loads the upper trapezius, which refers "
            "to the temple.",
            (
                ("Upper trapezius", True),
                ("Gastrocnemius", False),
                ("Iliopsoas", False),
                ("Piriformis", False),
            ),
        ),
        DemoQuestion(
            "multiple",
            "Which self-care advice fits an office worker with upper trapezius pain? (Select all.)",
            "Workstation ergonomics and gentle stretches reduce sustained load.",
            (
                ("Lower the keyboard so the shoulders can relax", True),
                ("Gentle lateral neck stretches", True),
                ("Carry a heavy bag on one shoulder", False),
            ),
            partial_credit=True,
        ),
    ),
)

QUADRATUS_LUMBORUM_FINAL = DemoQuiz(
    course="quadratus-lumborum",
    title="Quadratus lumborum: final assessment",
    kind="course",
    pass_mark=70,
    max_attempts=2,
    feedback="after_attempt",
    questions=(
        DemoQuestion(
            "hotspot",
            "Click the area where you palpate quadratus lumborum on the patient's left "
            "(right of the image): between the 12th rib and the iliac crest, lateral to the "
            "erector spinae.",
            "QL fills the space between the 12th rib and the iliac crest, deep and lateral "
            "to the erector spinae.",
            image="low-back",
            region=QL_TARGET,
        ),
        DemoQuestion(
            "hotspot",
            "Click BL23 on the patient's right (left of the image): level with L2, "
            "1.5 cun lateral.",
            "BL23 (Shenshu) lies 1.5 cun lateral to the lower border of the L2 spinous process.",
            image="low-back",
            region=BL23_TARGET,
        ),
        DemoQuestion(
            "single",
            "Where does quadratus lumborum commonly refer pain?",
            "QL refers to the sacroiliac joint, buttock, greater trochanter and iliac crest.",
            (
                ("Sacroiliac joint, buttock and greater trochanter", True),
                ("Temple and jaw", False),
                ("Medial elbow", False),
                ("Big toe", False),
            ),
        ),
        _tf(
            "Needle depth over quadratus lumborum matters because the kidney lies anterior to it.",
            True,
            "The kidney lies anterior to QL: control depth and angle.",
        ),
        DemoQuestion(
            "single",
            "Which position best exposes quadratus lumborum for palpation?",
            "Side-lying with the top arm overhead opens the space between rib and crest.",
            (
                ("Side-lying, top arm overhead", True),
                ("Supine with knees straight", False),
                ("Seated, leaning forward", False),
            ),
        ),
        DemoQuestion(
            "multiple",
            "Which acupoints lie over or near quadratus lumborum? (Select all.)",
            "BL23 and BL52 lie over the QL region.",
            (("BL23", True), ("BL52", True), ("GB21", False), ("ST6", False)),
            partial_credit=True,
        ),
        _tf(
            "A leg-length difference can perpetuate quadratus lumborum trigger points.",
            True,
            "Pelvic obliquity keeps QL under load; check for it.",
        ),
        DemoQuestion(
            "single",
            "A patient's low back pain is worst turning in bed. Which muscle is a prime suspect?",
            "Pain turning in bed is typical of QL involvement.",
            (
                ("Quadratus lumborum", True),
                ("Masseter", False),
                ("Supraspinatus", False),
            ),
        ),
        DemoQuestion(
            "single",
            "What is the main caution when needling QL?",
            "Depth: the kidney lies anterior to the muscle.",
            (
                ("Depth, because of the kidney", True),
                ("The brachial plexus", False),
                ("The carotid artery", False),
            ),
        ),
        _tf(
            "Quadratus lumborum can refer pain to the greater trochanter.",
            True,
            "Its lower fibres refer to the greater trochanter.",
        ),
    ),
)

PIRIFORMIS_FINAL = DemoQuiz(
    course="piriformis",
    title="Piriformis: final assessment",
    kind="course",
    pass_mark=70,
    max_attempts=3,
    feedback="after_attempt",
    questions=(
        DemoQuestion(
            "hotspot",
            "Click the piriformis on the patient's right (left of the image): from the "
            "sacrum to the greater trochanter.",
            "Piriformis runs from the anterior sacrum to the top of the greater trochanter.",
            image="hip",
            region=PIRIFORMIS_TARGET,
        ),
        DemoQuestion(
            "hotspot",
            "Click where gluteus medius trigger points are found on the patient's left "
            "(right of the image), just below the iliac crest.",
            "Gluteus medius points cluster just below the iliac crest.",
            image="hip",
            region=GLUTEUS_MEDIUS_TARGET,
        ),
        DemoQuestion(
            "single",
            "Which nerve makes piriformis needling a caution?",
            "The sciatic nerve passes below (sometimes through) piriformis.",
            (("Sciatic nerve", True), ("Median nerve", False), ("Facial nerve", False)),
        ),
        DemoQuestion(
            "single",
            "Which acupoint lies near the piriformis trigger points?",
            "GB30 (Huantiao) lies over the piriformis region.",
            (("GB30", True), ("LI11", False), ("SI3", False)),
        ),
        _tf(
            "Piriformis syndrome can mimic sciatica.",
            True,
            "Compression of the sciatic nerve gives sciatica-like pain.",
        ),
        DemoQuestion(
            "multiple",
            "Where does piriformis refer pain? (Select all.)",
            "Sacroiliac region, buttock and posterior thigh.",
            (
                ("Sacroiliac region", True),
                ("Buttock", True),
                ("Posterior thigh", True),
                ("Forehead", False),
            ),
            partial_credit=True,
        ),
        DemoQuestion(
            "single",
            "Which test stretches piriformis?",
            "Flexion, adduction and internal rotation (FAIR) loads the piriformis.",
            (
                ("Flexion, adduction, internal rotation (FAIR)", True),
                ("Straight arm raise", False),
                ("Jaw opening", False),
            ),
        ),
        _tf(
            "Long periods of sitting on a wallet can aggravate piriformis.",
            True,
            "Direct pressure on the buttock perpetuates piriformis points.",
        ),
        DemoQuestion(
            "single",
            "A runner has buttock pain and tingling down the back of the thigh, no back pain. "
            "Which muscle do you check?",
            "Piriformis entrapment fits buttock pain with posterior thigh symptoms.",
            (("Piriformis", True), ("Temporalis", False), ("Scalenes", False)),
        ),
        _tf(
            "The needle should be advanced quickly and deeply when the patient reports an "
            "electric pain down the leg.",
            False,
            "Electric pain means the nerve: withdraw and redirect.",
        ),
    ),
)

LESSON_CHECKS: tuple[DemoQuiz, ...] = (
    DemoQuiz(
        course="upper-trapezius",
        title="Check: referral pattern",
        kind="lesson",
        lesson_slug="referral-pattern",
        max_attempts=None,
        required=False,
        questions=(
            DemoQuestion(
                "single",
                "Which zone is NOT part of the upper trapezius referral pattern?",
                "The heel belongs to the calf muscles' pattern.",
                (("Heel", True), ("Temple", False), ("Mastoid", False)),
            ),
            _tf(
                "Upper trapezius can cause tension-type headache.",
                True,
                "It is one of the most common muscular causes.",
            ),
        ),
    ),
    DemoQuiz(
        course="gluteus-medius",
        title="Check: referral pattern",
        kind="lesson",
        lesson_slug="referral-pattern",
        max_attempts=None,
        required=False,
        questions=(
            DemoQuestion(
                "single",
                "Where does gluteus medius refer pain?",
                "Posterior iliac crest, sacrum and lateral buttock.",
                (
                    ("Posterior iliac crest, sacrum, lateral buttock", True),
                    ("Temple", False),
                    ("Thumb", False),
                ),
            ),
            _tf("GB29 lies near gluteus medius.", True, "GB29 lies over the lateral hip."),
        ),
    ),
    DemoQuiz(
        course="masseter-temporalis",
        title="Check: referral pattern",
        kind="lesson",
        lesson_slug="referral-pattern",
        max_attempts=None,
        required=False,
        questions=(
            DemoQuestion(
                "multiple",
                "Where do masseter and temporalis refer? (Select all.)",
                "Teeth, jaw, eyebrow and temple.",
                (("Teeth", True), ("Temple", True), ("Calf", False)),
                partial_credit=True,
            ),
            _tf("ST6 lies over the masseter.", True, "ST6 (Jiache) is on the masseter."),
        ),
    ),
)

FINALS: tuple[DemoQuiz, ...] = (
    UPPER_TRAPEZIUS_FINAL,
    QUADRATUS_LUMBORUM_FINAL,
    PIRIFORMIS_FINAL,
)

# Learners whose demo attempts are NOT seeded (the browser tests take quizzes as them).
NO_DEMO_ATTEMPTS = ("ana.kowalski@demo.lms",)
