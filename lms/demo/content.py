"""Demo catalogue content: body regions, referral zones, muscle groups, courses,
users and enrolments.

Pure data, no imports from the application. The seeding code and the body map
read these module-level tuples; instructors edit the seeded copies in the app.

Structures (all frozen dataclasses, all collections are tuples):

* ``BODY_REGIONS: tuple[BodyRegion, ...]``      ordered for display
* ``REFERRAL_ZONES: tuple[ReferralZone, ...]``  controlled vocabulary, body map
* ``MUSCLE_GROUPS: tuple[MuscleGroup, ...]``    the 14 demo muscle groups
* ``COURSES: tuple[Course, ...]``               one per muscle group
* ``DEMO_USERS: tuple[DemoUser, ...]``          admin, 2 instructors, 24 learners
* ``ENROLMENTS: tuple[tuple[str, str], ...]``   (learner email, course slug)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

View = Literal["front", "back"]
LessonKind = Literal["video", "reading"]
Role = Literal["admin", "instructor", "learner"]

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - public demo logins only


# --------------------------------------------------------------------------- #
# Structures
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class BodyRegion:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class ReferralZone:
    slug: str
    label: str
    views: tuple[View, ...]  # ("front",), ("back",) or ("front", "back")


@dataclass(frozen=True)
class MuscleGroup:
    slug: str
    name: str
    region: str  # BodyRegion.slug
    description: str
    referral_zones: tuple[str, ...]  # ReferralZone.slug
    pain_syndromes: tuple[str, ...]
    acupoints: tuple[str, ...]
    needling_caution: str  # "" when none


@dataclass(frozen=True)
class Lesson:
    slug: str  # unique within its course
    title: str
    kind: LessonKind
    duration_minutes: int
    notes: str  # Markdown


@dataclass(frozen=True)
class Module:
    title: str
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True)
class Course:
    slug: str  # == muscle slug
    code: str  # provider's course code, e.g. "TPR-101"
    title: str
    summary: str
    muscle: str  # MuscleGroup.slug
    ce_minutes: int
    instructor_email: str
    modules: tuple[Module, ...]


@dataclass(frozen=True)
class Licence:
    board: str  # state code ("CA", "FL", ...)
    number: str  # exactly as the board writes it


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str  # legal name as printed on certificates
    role: Role
    licences: tuple[Licence, ...] = ()
    nccaom_id: str | None = None


# --------------------------------------------------------------------------- #
# Body regions
# --------------------------------------------------------------------------- #
BODY_REGIONS: tuple[BodyRegion, ...] = (
    BodyRegion(
        "neck",
        "Neck",
        "Cervical muscles behind many tension-type headaches, stiff necks and referred arm pain.",
    ),
    BodyRegion(
        "shoulder",
        "Shoulder",
        "Rotator-cuff and scapular muscles that limit reaching, lifting and sleeping "
        "on the painful side.",
    ),
    BodyRegion(
        "low-back",
        "Low back",
        "Deep lumbar and hip-flexor muscles that mimic disc and sacroiliac pain.",
    ),
    BodyRegion(
        "hip-buttock",
        "Hip & buttock",
        "Gluteal and deep rotator muscles responsible for much buttock pain and 'pseudo-sciatica'.",
    ),
    BodyRegion(
        "leg",
        "Leg",
        "Calf muscles behind night cramps, heel pain and poor push-off.",
    ),
    BodyRegion(
        "head-jaw",
        "Head & jaw",
        "Masticatory muscles involved in jaw pain, temporal headache and toothache "
        "without dental cause.",
    ),
)


# --------------------------------------------------------------------------- #
# Referral zones (controlled vocabulary used by the body map)
# --------------------------------------------------------------------------- #
_F: tuple[View, ...] = ("front",)
_B: tuple[View, ...] = ("back",)
_FB: tuple[View, ...] = ("front", "back")

REFERRAL_ZONES: tuple[ReferralZone, ...] = (
    # head and face
    ReferralZone("vertex", "Vertex (crown of the head)", _B),
    ReferralZone("forehead", "Forehead", _F),
    ReferralZone("eyebrow", "Eyebrow", _F),
    ReferralZone("around-eye", "Around the eye", _F),
    ReferralZone("temple", "Temple", _F),
    ReferralZone("ear", "Ear", _F),
    ReferralZone("teeth-jaw", "Teeth and jaw", _F),
    ReferralZone("angle-of-jaw", "Angle of the jaw", _F),
    ReferralZone("occiput", "Occiput", _B),
    ReferralZone("mastoid", "Mastoid process", _B),
    # neck
    ReferralZone("posterolateral-neck", "Posterolateral neck", _B),
    ReferralZone("angle-of-neck", "Angle of the neck", _B),
    # trunk, shoulder and arm
    ReferralZone("chest", "Chest", _F),
    ReferralZone("anterior-shoulder", "Anterior shoulder", _F),
    ReferralZone("anterolateral-arm", "Anterolateral arm", _F),
    ReferralZone("upper-arm", "Upper arm", _FB),
    ReferralZone("radial-forearm", "Radial forearm", _F),
    ReferralZone("thumb-index", "Thumb and index finger", _F),
    ReferralZone("medial-scapular-border", "Medial border of the scapula", _B),
    ReferralZone("scapula", "Scapula", _B),
    ReferralZone("posterior-shoulder", "Posterior shoulder", _B),
    ReferralZone("mid-deltoid", "Mid-deltoid", _B),
    ReferralZone("lateral-epicondyle", "Lateral epicondyle (elbow)", _B),
    ReferralZone("wrist", "Band around the wrist", _B),
    # low back and pelvis
    ReferralZone("lumbar-spine", "Lumbar spine", _B),
    ReferralZone("iliac-crest", "Posterior iliac crest", _B),
    ReferralZone("sacrum", "Sacrum", _B),
    ReferralZone("sacroiliac", "Sacroiliac joint", _B),
    ReferralZone("buttock", "Buttock", _B),
    ReferralZone("lateral-buttock", "Lateral buttock", _B),
    ReferralZone("greater-trochanter", "Greater trochanter", _B),
    # lower limb
    ReferralZone("anterior-thigh", "Upper anterior thigh", _F),
    ReferralZone("lateral-thigh", "Lateral thigh", _F),
    ReferralZone("lateral-leg", "Lateral leg", _F),
    ReferralZone("ankle", "Ankle", _F),
    ReferralZone("instep", "Instep", _F),
    ReferralZone("posterior-thigh", "Posterior thigh", _B),
    ReferralZone("calf", "Calf", _B),
    ReferralZone("heel", "Heel", _B),
)

_ZONE_LABEL = {z.slug: z.label for z in REFERRAL_ZONES}


# --------------------------------------------------------------------------- #
# Muscle groups (from the DOMAIN.md demo table)
# --------------------------------------------------------------------------- #
MUSCLE_GROUPS: tuple[MuscleGroup, ...] = (
    MuscleGroup(
        slug="upper-trapezius",
        name="Upper trapezius",
        region="neck",
        description=(
            "The upper fibres of trapezius run from the occiput and nuchal ligament to the "
            "lateral clavicle and elevate and upwardly rotate the scapula. They carry the "
            "load of desk work, shoulder bags and held tension; the typical patient is an "
            "office worker with a one-sided afternoon headache wrapping around the temple."
        ),
        referral_zones=("posterolateral-neck", "mastoid", "temple", "angle-of-jaw"),
        pain_syndromes=("Tension headache", "Neck pain"),
        acupoints=("GB21",),
        needling_caution="Lung apex: no deep perpendicular needling.",
    ),
    MuscleGroup(
        slug="levator-scapulae",
        name="Levator scapulae",
        region="neck",
        description=(
            "Levator scapulae runs from the transverse processes of C1-C4 to the superior "
            "angle of the scapula, elevating the scapula and side-bending the neck. It is "
            "the muscle of the 'slept wrong' morning: the patient cannot turn the head to "
            "check a blind spot and points to the angle of the neck."
        ),
        referral_zones=("angle-of-neck", "medial-scapular-border"),
        pain_syndromes=("Stiff neck", "Torticollis"),
        acupoints=("SI14", "SI15"),
        needling_caution="Lung apex: needle onto the scapula, never into the intercostal space.",
    ),
    MuscleGroup(
        slug="sternocleidomastoid",
        name="Sternocleidomastoid",
        region="neck",
        description=(
            "Sternocleidomastoid has sternal and clavicular heads that meet at the mastoid "
            "process; it rotates the head to the opposite side and flexes the neck. Its "
            "trigger points refer to the face and head rather than the neck, so patients "
            "present with frontal headache, eye pain or dizziness after whiplash or long "
            "hours looking up."
        ),
        referral_zones=("forehead", "around-eye", "ear", "vertex", "occiput"),
        pain_syndromes=("Headache", "Dizziness", "Atypical facial pain"),
        acupoints=("SI16", "LI18"),
        needling_caution="Carotid artery and jugular vein: lift the muscle in a pincer grasp.",
    ),
    MuscleGroup(
        slug="scalenes",
        name="Scalenes",
        region="neck",
        description=(
            "The anterior, middle and posterior scalenes run from the cervical transverse "
            "processes to the first and second ribs and act as accessory muscles of "
            "breathing. Tight scalenes refer pain down the arm to the thumb and can mimic "
            "thoracic outlet syndrome or a cervical radiculopathy in patients who "
            "chest-breathe or carry heavy loads."
        ),
        referral_zones=(
            "chest",
            "upper-arm",
            "radial-forearm",
            "thumb-index",
            "medial-scapular-border",
        ),
        pain_syndromes=("Thoracic-outlet-like arm pain",),
        acupoints=("ST12",),
        needling_caution="Brachial plexus and lung apex: advanced technique, shallow only.",
    ),
    MuscleGroup(
        slug="supraspinatus",
        name="Supraspinatus",
        region="shoulder",
        description=(
            "Supraspinatus lies in the supraspinous fossa and passes under the acromion to "
            "the greater tubercle, starting abduction and centring the humeral head. "
            "Patients describe a deep ache over the deltoid when lifting the arm, often "
            "after painting a ceiling or carrying luggage, and pain at night."
        ),
        referral_zones=("mid-deltoid", "lateral-epicondyle"),
        pain_syndromes=("Shoulder pain on abduction",),
        acupoints=("SI12",),
        needling_caution="",
    ),
    MuscleGroup(
        slug="infraspinatus",
        name="Infraspinatus",
        region="shoulder",
        description=(
            "Infraspinatus fills the infraspinous fossa and attaches to the greater "
            "tubercle; it externally rotates the arm and stabilises the humeral head. Its "
            "trigger points refer deep into the front of the shoulder, so patients blame "
            "the joint, cannot reach behind the back and cannot lie on either side."
        ),
        referral_zones=("anterior-shoulder", "anterolateral-arm"),
        pain_syndromes=("Shoulder pain", "Cannot reach behind back"),
        acupoints=("SI11",),
        needling_caution="",
    ),
    MuscleGroup(
        slug="subscapularis",
        name="Subscapularis",
        region="shoulder",
        description=(
            "Subscapularis covers the anterior surface of the scapula and inserts on the "
            "lesser tubercle, internally rotating and stabilising the shoulder. It is a "
            "key muscle in the 'frozen shoulder' picture: progressive loss of abduction and "
            "external rotation with pain behind the shoulder and a band around the wrist."
        ),
        referral_zones=("posterior-shoulder", "scapula", "wrist"),
        pain_syndromes=("Frozen shoulder",),
        acupoints=(),
        needling_caution="Axillary vessels: direct the needle toward the scapula only.",
    ),
    MuscleGroup(
        slug="quadratus-lumborum",
        name="Quadratus lumborum",
        region="low-back",
        description=(
            "Quadratus lumborum spans the twelfth rib, the lumbar transverse processes and "
            "the iliac crest, side-bending the trunk and hitching the hip. It is the "
            "commonest muscular source of acute low back pain: the patient cannot turn in "
            "bed or stand up straight after lifting and twisting."
        ),
        referral_zones=("sacroiliac", "buttock", "greater-trochanter", "iliac-crest"),
        pain_syndromes=("Low back pain",),
        acupoints=("BL23", "BL52"),
        needling_caution="Kidney: control the depth and stay below the twelfth rib.",
    ),
    MuscleGroup(
        slug="iliopsoas",
        name="Iliopsoas",
        region="low-back",
        description=(
            "Psoas major and iliacus join to insert on the lesser trochanter and are the "
            "main hip flexors and a dynamic stabiliser of the lumbar spine. Patients who "
            "sit all day, cycle or do many sit-ups report vertical low back pain that is "
            "worse when standing up and a deep ache at the top of the front of the thigh."
        ),
        referral_zones=("lumbar-spine", "anterior-thigh"),
        pain_syndromes=("Low back pain",),
        acupoints=(),
        needling_caution="Abdominal organs: iliacus approach only, against the iliac fossa.",
    ),
    MuscleGroup(
        slug="gluteus-medius",
        name="Gluteus medius",
        region="hip-buttock",
        description=(
            "Gluteus medius fans from the outer ilium to the greater trochanter and holds "
            "the pelvis level in single-leg stance. Trigger points refer along the "
            "posterior iliac crest and sacrum, so walkers, runners and people who stand "
            "with their weight on one hip are often told they have sacroiliac pain."
        ),
        referral_zones=("iliac-crest", "sacrum", "lateral-buttock"),
        pain_syndromes=("Low back pain",),
        acupoints=("GB29",),
        needling_caution="",
    ),
    MuscleGroup(
        slug="gluteus-minimus",
        name="Gluteus minimus",
        region="hip-buttock",
        description=(
            "Gluteus minimus lies deep to gluteus medius on the outer ilium and assists "
            "abduction and internal rotation of the hip. Its referral travels down the "
            "side or back of the leg to the ankle, producing a 'pseudo-sciatica' that "
            "patients find hard to sit or walk through but with normal neurological tests."
        ),
        referral_zones=("lateral-thigh", "posterior-thigh", "lateral-leg", "calf", "ankle"),
        pain_syndromes=("Pseudo-sciatica",),
        acupoints=("GB30",),
        needling_caution="Sciatic nerve: stay in the anterior and lateral buttock.",
    ),
    MuscleGroup(
        slug="piriformis",
        name="Piriformis",
        region="hip-buttock",
        description=(
            "Piriformis runs from the anterior sacrum through the greater sciatic notch to "
            "the greater trochanter and externally rotates the extended hip. The sciatic "
            "nerve passes beneath (and sometimes through) it, so drivers and runners "
            "present with buttock pain, pain on sitting and symptoms down the back of the "
            "thigh."
        ),
        referral_zones=("sacroiliac", "buttock", "posterior-thigh"),
        pain_syndromes=("Piriformis syndrome", "Sciatica"),
        acupoints=("GB30",),
        needling_caution="Sciatic nerve: needle the lateral part of the muscle.",
    ),
    MuscleGroup(
        slug="gastrocnemius-soleus",
        name="Gastrocnemius & soleus",
        region="leg",
        description=(
            "Gastrocnemius crosses knee and ankle while soleus arises below the knee; both "
            "insert through the Achilles tendon and drive push-off. Patients wake with "
            "night cramps, limp on the first steps of the morning with heel pain, or feel "
            "a tight calf after a return to running or hill walking."
        ),
        referral_zones=("calf", "instep", "heel"),
        pain_syndromes=("Calf cramps", "Heel pain"),
        acupoints=("BL57",),
        needling_caution="",
    ),
    MuscleGroup(
        slug="masseter-temporalis",
        name="Masseter & temporalis",
        region="head-jaw",
        description=(
            "Masseter closes the jaw from the zygomatic arch to the mandibular angle, and "
            "temporalis fans over the side of the skull to the coronoid process. Clenching "
            "and night-time grinding load both, so patients arrive with jaw pain, temporal "
            "headache or a toothache their dentist cannot explain."
        ),
        referral_zones=("teeth-jaw", "eyebrow", "temple"),
        pain_syndromes=("TMJ pain", "Headache", "Toothache"),
        acupoints=("ST6", "ST7"),
        needling_caution="",
    ),
)

_MUSCLE = {m.slug: m for m in MUSCLE_GROUPS}


# --------------------------------------------------------------------------- #
# Teaching material per muscle (used to write the lesson notes below)
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class _Teaching:
    attachments: str
    actions: str
    loaded_by: tuple[str, ...]  # perpetuating factors
    channel: str  # Chinese medicine lens
    points: str  # where the listed acupoints lie relative to the muscle
    position: str  # patient position for palpation and needling
    palpation: str
    tests: tuple[str, ...]
    differentials: tuple[str, ...]
    red_flags: tuple[str, ...]
    needling: tuple[str, ...]  # technique steps
    home_care: tuple[str, ...]
    case: str  # short case vignette


_TEACHING: dict[str, _Teaching] = {
    "upper-trapezius": _Teaching(
        attachments="superior nuchal line, external occipital protuberance and nuchal "
        "ligament above; lateral third of the clavicle and the acromion below",
        actions="elevates and upwardly rotates the scapula and, working one side, "
        "side-bends the neck toward and rotates the face away",
        loaded_by=(
            "keyboards set too high",
            "a heavy bag on one shoulder",
            "phone held between ear and shoulder",
            "shallow chest breathing",
        ),
        channel="The upper trapezius lies along the Gallbladder and Small Intestine sinew "
        "channels; its referral to the temple traces the Shaoyang pathway, which is why "
        "classical texts pair GB21 with distal Shaoyang points for one-sided headache.",
        points="GB21 (Jianjing) sits on the highest point of the shoulder, midway between "
        "C7 and the acromion, directly over the most common upper trapezius trigger point.",
        position="seated with forearms resting on a pillow, or prone with the forehead supported",
        palpation="Lift the free border of the muscle between thumb and fingers (pincer "
        "palpation) and roll it slowly; the taut band is a cord running from front to back, "
        "and pressure on the nodule reproduces the patient's temple headache.",
        tests=(
            "cervical side-bending away from the painful side",
            "shoulder shrug against resistance",
            "pain map drawn by the patient",
        ),
        differentials=(
            "cervicogenic headache from facet joints",
            "migraine without aura",
            "occipital neuralgia",
        ),
        red_flags=(
            "thunderclap or 'worst ever' headache",
            "fever with neck stiffness",
            "new headache after age 50 with jaw claudication",
        ),
        needling=(
            "Keep the muscle in a pincer grasp and lift it off the chest wall.",
            "Insert tangentially, aiming the needle toward your own fingers, never "
            "downward toward the lung apex.",
            "Use a 0.25 x 30 mm needle; elicit a local twitch response, then withdraw "
            "to subcutaneous level and redirect within the grasp.",
        ),
        home_care=(
            "lower the workstation so the shoulders can drop",
            "alternate the bag shoulder or use a backpack",
            "gentle ear-to-shoulder stretch held 30 seconds, three times a day",
        ),
        case="A 38-year-old accountant has right-sided headaches behind the eye and at the "
        "temple every afternoon during tax season; her right shoulder is visibly higher at "
        "the keyboard.",
    ),
    "levator-scapulae": _Teaching(
        attachments="transverse processes of C1 to C4 above; superior angle and upper "
        "medial border of the scapula below",
        actions="elevates the scapula, rotates the glenoid downward and, with the scapula "
        "fixed, side-bends and rotates the neck to the same side",
        loaded_by=(
            "sleeping with the head twisted on a high pillow",
            "looking sideways at a second monitor",
            "using crutches or a cane",
            "cold draughts on the neck",
        ),
        channel="Levator scapulae lies under the Small Intestine channel where it crosses "
        "the scapula; acute stiff neck (luo zhen) is classically treated with local SI "
        "points and a distal point such as Luozhen (M-UE-24) while the patient moves the neck.",
        points="SI14 (Jianwaishu) lies 3 cun lateral to the lower border of T1 over the "
        "superior angle of the scapula; SI15 (Jianzhongshu) lies 2 cun lateral to C7.",
        position="side-lying on the unaffected side with the arm resting on a pillow, or seated",
        palpation="Slide the upper trapezius aside and press onto the superior angle of the "
        "scapula; the taut band runs obliquely up toward the neck. A second trigger point "
        "sits at the angle of the neck where the muscle emerges from under trapezius.",
        tests=(
            "rotation of the head toward the painful side",
            "flexion combined with rotation away",
            "scapular elevation against resistance",
        ),
        differentials=(
            "acute facet joint locking",
            "cervical disc herniation",
            "infantile or drug-induced dystonic torticollis",
        ),
        red_flags=(
            "arm weakness or numbness in a dermatome",
            "fever or recent throat infection",
            "neck stiffness after trauma",
        ),
        needling=(
            "Position the patient side-lying so the scapula is stable.",
            "Fix the superior angle of the scapula between two fingers and direct "
            "the needle onto bone, never between the ribs.",
            "A 0.25 x 30 mm needle is usually enough; the bony backstop controls the depth.",
        ),
        home_care=(
            "lower or change the pillow so the neck stays neutral",
            "turn the whole body, not just the head, toward a second monitor",
            "diagonal stretch: chin toward the opposite armpit, 30 seconds",
        ),
        case="A 29-year-old barista woke unable to turn her head to the left after sleeping "
        "on a friend's sofa; she points to the junction of neck and shoulder.",
    ),
    "sternocleidomastoid": _Teaching(
        attachments="manubrium of the sternum (sternal head) and medial third of the clavicle "
        "(clavicular head) below; mastoid process and lateral superior nuchal line above",
        actions="rotates the face to the opposite side, flexes the neck when both sides "
        "work, and lifts the sternum during forced inspiration",
        loaded_by=(
            "whiplash injury",
            "looking up for long periods (painting, rock climbing)",
            "forward head posture",
            "chronic cough or mouth breathing",
        ),
        channel="Sternocleidomastoid carries the Window of Heaven points SI16 and LI18, "
        "traditionally used when qi cannot ascend or descend between head and body; its "
        "autonomic-like symptoms (tearing, dizziness, ear fullness) fit that picture.",
        points="LI18 (Futu) lies between the two heads of the muscle level with the laryngeal "
        "prominence; SI16 (Tianchuang) lies on its posterior border at the same level.",
        position="supine with the head turned slightly toward the treated side to slacken "
        "the muscle",
        palpation="Grasp the whole muscle in a pincer grasp, lifting it away from the carotid "
        "sheath, and roll each head separately between thumb and fingers. Tender nodules "
        "along the sternal head refer to the eye and forehead; those in the clavicular head "
        "to the forehead and ear.",
        tests=(
            "rotation away from the painful side",
            "neck flexion from supine",
            "asking about dizziness on turning in bed",
        ),
        differentials=(
            "benign paroxysmal positional vertigo",
            "sinusitis",
            "trigeminal neuralgia",
            "carotid artery dissection",
        ),
        red_flags=(
            "neck pain with a new one-sided headache and visual or speech changes",
            "a pulsatile or enlarging neck mass",
            "hoarseness or difficulty swallowing",
        ),
        needling=(
            "Always keep the muscle lifted in a pincer grasp, away from the carotid "
            "artery and internal jugular vein.",
            "Insert through the grasped belly, parallel to the skin and pointing "
            "toward your own finger pad.",
            "Never needle blindly into the anterior triangle; feel the carotid pulse "
            "before you start and keep it medial to your fingers.",
        ),
        home_care=(
            "raise the screen so the head does not hang forward",
            "pillow high enough to keep the neck level when side-lying",
            "gentle chin tucks and diaphragmatic breathing",
        ),
        case="A 45-year-old cyclist has had frontal headaches and brief dizziness when "
        "rolling over in bed since a rear-end collision three months ago; imaging was normal.",
    ),
    "scalenes": _Teaching(
        attachments="anterior tubercles (anterior scalene) and posterior tubercles (middle and "
        "posterior scalene) of the cervical transverse processes; first rib (anterior and "
        "middle) and second rib (posterior)",
        actions="elevate the first two ribs in inspiration and side-bend the neck",
        loaded_by=(
            "paradoxical chest breathing",
            "carrying heavy loads by the hands",
            "sleeping with the head lower than the shoulders",
            "chronic cough or asthma",
        ),
        channel="The scalenes lie beneath the Stomach and Large Intestine channels in the "
        "supraclavicular fossa; ST12 (Quepen) is the 'empty basin' where these channels "
        "enter the chest, a sensitive area in any tradition.",
        points="ST12 (Quepen) lies in the supraclavicular fossa on the mamillary line; "
        "classical texts already warn against deep needling here.",
        position="supine, head neutral, a small towel under the head",
        palpation="Find the anterior scalene lateral to the clavicular head of "
        "sternocleidomastoid and roll across it with flat fingertips against the transverse "
        "processes. The scalene cramp test and relief test help confirm the source.",
        tests=(
            "scalene cramp test: chin down into the supraclavicular fossa",
            "scalene relief test: forearm placed over the forehead",
            "Adson and Roos tests, recorded as screening only",
        ),
        differentials=(
            "cervical radiculopathy (C6, C7)",
            "true neurogenic thoracic outlet syndrome",
            "carpal tunnel syndrome",
            "cardiac pain referred to the arm",
        ),
        red_flags=(
            "chest pain with exertion or breathlessness",
            "a cold, pale or swollen arm",
            "progressive hand weakness or wasting",
        ),
        needling=(
            "This is an advanced technique: practise under supervision first.",
            "Place two fingers on the transverse processes and needle only between "
            "them, shallow, directed toward the bone, never downward toward the lung apex.",
            "Stop if the patient reports an electric sensation (brachial plexus) and "
            "redirect superficially; a thin 0.20 x 15 mm needle is sufficient.",
        ),
        home_care=(
            "diaphragmatic breathing practice twice daily",
            "raise the head of the bed a little",
            "scalene stretch with the hand anchoring the first rib",
        ),
        case="A 52-year-old violinist reports pain in the front of the chest, the outer arm "
        "and the thumb on the left when practising; her cervical MRI shows only age-typical "
        "changes.",
    ),
    "supraspinatus": _Teaching(
        attachments="supraspinous fossa of the scapula medially; superior facet of the "
        "greater tubercle of the humerus laterally",
        actions="initiates abduction of the arm and keeps the humeral head centred in the glenoid",
        loaded_by=(
            "repeated overhead work",
            "carrying heavy bags with the arm straight",
            "walking a dog that pulls on the lead",
            "sleeping on the arm",
        ),
        channel="Supraspinatus lies under the Small Intestine channel in the supraspinous "
        "fossa; the Taiyang sinew channel links it to the lateral neck and the back of the "
        "shoulder.",
        points="SI12 (Bingfeng) lies in the centre of the supraspinous fossa, directly over the "
        "muscle belly, above SI11.",
        position="seated or prone with the arm relaxed by the side",
        palpation="Press through the upper trapezius into the supraspinous fossa with flat "
        "palpation; the taut bands run parallel to the spine of the scapula. Check the "
        "lateral trigger point just medial to the acromion as well.",
        tests=(
            "painful arc between 60 and 120 degrees of abduction",
            "empty-can test for weakness",
            "reaching to the back of the head",
        ),
        differentials=(
            "supraspinatus tendinopathy or tear",
            "subacromial bursitis",
            "C5 radiculopathy",
            "lateral epicondylalgia of local origin",
        ),
        red_flags=(
            "sudden loss of active elevation after a fall",
            "night pain with weight loss",
            "fever with a hot joint",
        ),
        needling=(
            "The supraspinous fossa has a bony floor, which makes this one of the "
            "safer rotator-cuff muscles to needle.",
            "Insert perpendicular to the skin through trapezius and aim at the bony "
            "floor of the fossa; do not slide anterior to the fossa.",
            "A 0.30 x 40 mm needle suits most adults; expect a deep, dull ache when "
            "the trigger point is reached.",
        ),
        home_care=(
            "carry bags close to the body with the elbow bent",
            "pendulum swings before overhead tasks",
            "sleep with a pillow under the painful arm",
        ),
        case="A 61-year-old retired teacher spent a weekend painting a ceiling and now has a "
        "deep ache over the side of the upper arm when lifting, worse at night.",
    ),
    "infraspinatus": _Teaching(
        attachments="infraspinous fossa of the scapula medially; middle facet of the greater "
        "tubercle of the humerus laterally",
        actions="externally rotates the arm and depresses and stabilises the humeral head",
        loaded_by=(
            "reaching backward to the back seat of a car",
            "tennis and climbing",
            "sleeping on the affected side",
            "long periods with the arm forward on a mouse",
        ),
        channel="Infraspinatus is the territory of the Small Intestine channel on the "
        "scapula; SI11 is a classical local point for shoulder pain radiating to the front "
        "of the arm.",
        points="SI11 (Tianzong) lies in the infraspinous fossa at the junction of the upper "
        "and middle thirds of a line from the middle of the scapular spine to the inferior angle.",
        position="prone, or side-lying on the unaffected side with the arm on a pillow",
        palpation="Use flat palpation across the fibres just below the spine of the scapula "
        "and toward the medial border. Deep pressure on an active point often reproduces the "
        "'joint' pain the patient feels at the front of the shoulder.",
        tests=(
            "hand behind the back (Apley scratch, lower reach)",
            "resisted external rotation with the elbow at the side",
            "lying on the painful side",
        ),
        differentials=(
            "biceps tendinopathy",
            "glenohumeral osteoarthritis",
            "adhesive capsulitis",
            "C5-C6 radiculopathy",
        ),
        red_flags=(
            "shoulder pain with breathlessness or sweating (cardiac)",
            "right shoulder tip pain after eating (gallbladder)",
            "unexplained weight loss",
        ),
        needling=(
            "Needle onto the scapula: the bone is a reliable backstop in the infraspinous fossa.",
            "Insert perpendicular to the skin over the palpated band and advance slowly "
            "until you feel bone; lift and redirect in a small fan.",
            "Expect strong referred sensation into the front of the shoulder and warn "
            "the patient beforehand.",
        ),
        home_care=(
            "cross-body stretch with the elbow supported",
            "sleep with a pillow hugged in front of the chest",
            "a tennis ball against a wall on the tender point for one minute",
        ),
        case="A 34-year-old nurse cannot fasten her bra or reach for her seat belt; she is "
        "convinced the front of her shoulder joint is damaged.",
    ),
    "subscapularis": _Teaching(
        attachments="subscapular fossa on the anterior surface of the scapula; lesser "
        "tubercle of the humerus",
        actions="internally rotates the arm, adducts it and holds the humeral head forward "
        "in the glenoid",
        loaded_by=(
            "repeated overhead throwing or swimming",
            "prolonged immobilisation in a sling",
            "crawl stroke or pull-ups",
            "diabetes and thyroid disease (frozen shoulder risk)",
        ),
        channel="Subscapularis lies between the Heart and Small Intestine sinew channels at "
        "the axilla; the Heart channel point HT1 (Jiquan) in the axilla is close to the "
        "neurovascular bundle and is not used here.",
        points="No classical point lies over subscapularis itself; local ashi points along "
        "the lateral border of the scapula are used, combined with distal points chosen by "
        "pattern differentiation.",
        position="supine with the arm abducted as far as comfortable and the hand resting "
        "by the head",
        palpation="Pull the scapula gently laterally with one hand and slide the fingertips of "
        "the other between the latissimus and the chest wall onto the anterior surface of the "
        "scapula. Tender bands here reproduce pain behind the shoulder.",
        tests=(
            "active and passive external rotation at 0 and 90 degrees abduction",
            "lift-off and belly-press tests",
            "timeline of loss of range (freezing, frozen, thawing)",
        ),
        differentials=(
            "adhesive capsulitis",
            "glenohumeral arthritis",
            "posterior dislocation after a seizure or fall",
            "Pancoast tumour",
        ),
        red_flags=(
            "shoulder pain with a cough, weight loss or smoking history",
            "rapid loss of movement after a fall",
            "signs of infection",
        ),
        needling=(
            "Keep the patient supine with the arm abducted and draw the scapula laterally.",
            "Insert at the lateral border of the scapula and direct the needle along "
            "the anterior surface of the scapula, parallel to the ribcage.",
            "Stay posterior to the axillary artery and vein: palpate the pulse first and "
            "never direct the needle toward the ribs or the axilla.",
        ),
        home_care=(
            "pendulum and wall-walking exercises within comfort",
            "door-frame external rotation stretch",
            "warmth before exercise",
        ),
        case="A 56-year-old bookkeeper with type 2 diabetes has had slowly worsening "
        "shoulder stiffness for four months and a strange ache around the wrist.",
    ),
    "quadratus-lumborum": _Teaching(
        attachments="twelfth rib and transverse processes of L1 to L4 above; iliolumbar "
        "ligament and posterior iliac crest below",
        actions="side-bends the lumbar spine, hitches the hip and fixes the twelfth rib "
        "during breathing",
        loaded_by=(
            "lifting and twisting at the same time",
            "a leg-length difference",
            "sitting on a wallet",
            "gardening or carrying a child on one hip",
        ),
        channel="Quadratus lumborum lies under the inner and outer Bladder channel lines at "
        "the level of the kidney; low back pain here is often read as Kidney deficiency "
        "with local qi and blood stagnation.",
        points="BL23 (Shenshu) lies 1.5 cun lateral to the lower border of L2 and BL52 (Zhishi) "
        "3 cun lateral; BL52 lies directly over the lateral edge of quadratus lumborum.",
        position="side-lying on the unaffected side with a pillow under the waist and the top "
        "leg dropped behind to open the space between rib and pelvis",
        palpation="Press medially and then downward from the lateral edge of the erector "
        "spinae, in the space between the twelfth rib and the iliac crest. Tender bands at "
        "the iliac crest refer to the buttock and sacroiliac joint.",
        tests=(
            "side-bending away from the painful side",
            "standing from sitting",
            "coughing or sneezing (pain suggests disc or QL)",
        ),
        differentials=(
            "lumbar disc herniation",
            "sacroiliac joint dysfunction",
            "kidney stones or pyelonephritis",
            "trochanteric bursitis",
        ),
        red_flags=(
            "saddle anaesthesia, bladder or bowel change (cauda equina)",
            "fever with back pain",
            "night pain with a cancer history",
        ),
        needling=(
            "Work below the twelfth rib and lateral to the erector spinae.",
            "Direct the needle medially toward the transverse processes, which act as "
            "a bony backstop; never deep perpendicular above the level of L2.",
            "Measure the patient's tissue depth by palpation first; in slim patients the "
            "kidney is only a few centimetres deep.",
        ),
        home_care=(
            "side-bend stretch over a gym ball",
            "hips and knees bent for lifting, no twisting",
            "even up the wallet and heel height",
        ),
        case="A 42-year-old landscaper lifted a bag of soil and turned; he now walks bent to "
        "one side and cannot roll over in bed without sharp pain in the buttock.",
    ),
    "iliopsoas": _Teaching(
        attachments="psoas from the bodies and transverse processes of T12 to L5 and iliacus "
        "from the iliac fossa, joining in a tendon to the lesser trochanter",
        actions="flexes the hip, and with the femur fixed flexes the trunk; psoas also "
        "stabilises the lumbar spine",
        loaded_by=(
            "long hours sitting",
            "cycling and repeated sit-ups",
            "sleeping curled up",
            "a recent abdominal or hip surgery",
        ),
        channel="Iliopsoas lies deep to the Stomach, Spleen and Kidney channels; its line "
        "matches the deep Chong (Penetrating) vessel pathway, and acupuncturists often meet "
        "it in patients with combined low back and lower abdominal complaints.",
        points="There is no classical point over iliopsoas; ST30 and SP12 lie near the "
        "inguinal ligament close to the femoral vessels and are not used as trigger-point sites.",
        position="supine with the knees bent over a bolster",
        palpation="Palpate iliacus by curling the fingers over the inside of the iliac crest "
        "medial to the ASIS, and the distal tendon just below the inguinal ligament lateral "
        "to the femoral pulse. Abdominal palpation of psoas is slow, gentle and stopped if "
        "a pulse is felt.",
        tests=(
            "Thomas test for hip flexor length",
            "resisted hip flexion in sitting",
            "standing up straight after sitting",
        ),
        differentials=(
            "lumbar disc or facet pain",
            "hip joint pathology",
            "inguinal hernia",
            "appendicitis or other abdominal disease",
        ),
        red_flags=(
            "fever or abdominal tenderness (psoas abscess, appendicitis)",
            "a pulsatile abdominal mass (aortic aneurysm)",
            "unexplained weight loss",
        ),
        needling=(
            "This course teaches the iliacus approach only: needle against the inner "
            "surface of the iliac fossa, medial to the ASIS, with the fingers guarding the "
            "abdominal contents.",
            "Keep the needle in contact with bone and do not direct it medially toward "
            "the abdomen or the femoral neurovascular bundle.",
            "Transabdominal psoas needling is outside the scope of this course.",
        ),
        home_care=(
            "kneeling lunge stretch with the pelvis tucked",
            "stand up and walk every 30 minutes of sitting",
            "sleep on the back with a pillow under the knees",
        ),
        case="A 37-year-old software developer and weekend cyclist has low back pain that is "
        "worst when he stands up from his desk; he has to 'walk it straight'.",
    ),
    "gluteus-medius": _Teaching(
        attachments="outer surface of the ilium between the anterior and posterior gluteal "
        "lines; lateral surface of the greater trochanter",
        actions="abducts the hip and holds the pelvis level during single-leg stance",
        loaded_by=(
            "standing with weight on one hip",
            "running on cambered roads",
            "a Morton foot or leg-length difference",
            "sleeping on the side with the knees together",
        ),
        channel="Gluteus medius is the territory of the Gallbladder channel on the side of "
        "the hip; Shaoyang points here are classically chosen for pain that cannot be "
        "turned or rotated out of.",
        points="GB29 (Juliao) lies midway between the ASIS and the prominence of the greater "
        "trochanter, over the anterior fibres of gluteus medius.",
        position="side-lying on the unaffected side with a pillow between the knees",
        palpation="Palpate just below the iliac crest from posterior to anterior with flat "
        "fingers; the most common point lies below the crest near the posterior iliac spine "
        "and reproduces sacral and crest pain.",
        tests=(
            "Trendelenburg sign in single-leg stance",
            "resisted abduction in side-lying",
            "lying on the painful side",
        ),
        differentials=(
            "sacroiliac joint dysfunction",
            "greater trochanteric pain syndrome",
            "L5 radiculopathy",
            "hip osteoarthritis",
        ),
        red_flags=(
            "hip pain with fever",
            "groin pain with inability to bear weight after a fall",
            "progressive foot weakness",
        ),
        needling=(
            "Needle perpendicular to the ilium; bone is the backstop throughout the "
            "posterior and middle fibres.",
            "Use a 0.30 x 50 mm needle for most adults, adjusted to the depth of the "
            "overlying gluteus maximus.",
            "Elicit a local twitch response and repeat in a small fan along the band.",
        ),
        home_care=(
            "stand with weight evenly on both feet",
            "pillow between the knees when side-lying",
            "figure-four and side-lying clam exercises",
        ),
        case="A 48-year-old hairdresser has aching across the back of the pelvis and sacrum "
        "at the end of every working day standing at the chair.",
    ),
    "gluteus-minimus": _Teaching(
        attachments="outer surface of the ilium between the anterior and inferior gluteal "
        "lines, deep to gluteus medius; anterior surface of the greater trochanter",
        actions="abducts and internally rotates the hip and stabilises the pelvis in gait",
        loaded_by=(
            "prolonged sitting without moving",
            "limping from an ankle or knee injury",
            "running on uneven ground",
            "injections into the buttock",
        ),
        channel="Gluteus minimus lies beneath GB30, where the Gallbladder and Bladder "
        "channels meet; its referral down the side and back of the leg follows the "
        "Gallbladder and Bladder channel pathways closely.",
        points="GB30 (Huantiao) lies at the junction of the lateral and middle thirds of a "
        "line from the greater trochanter to the sacral hiatus; deep needling here is near "
        "the sciatic nerve.",
        position="side-lying on the unaffected side, the upper hip slightly flexed on a pillow",
        palpation="Work deep to gluteus medius below the anterior half of the iliac crest "
        "(anterior fibres) and above the trochanter (posterior fibres); referral along the "
        "lateral leg confirms the anterior portion.",
        tests=(
            "straight-leg raise with normal neurology",
            "pain on getting out of a chair",
            "limping within a few minutes of walking",
        ),
        differentials=(
            "L5 or S1 radiculopathy",
            "piriformis syndrome",
            "peripheral arterial disease",
            "greater trochanteric pain syndrome",
        ),
        red_flags=(
            "loss of reflexes or foot drop",
            "saddle anaesthesia",
            "leg pain on walking relieved by standing still (vascular)",
        ),
        needling=(
            "Prefer the anterior and lateral fibres, well away from the sciatic nerve.",
            "Needle perpendicular onto the ilium, which is the backstop; gluteus "
            "minimus needs a longer 0.30 x 60-75 mm needle in most adults.",
            "If the patient feels a shooting or electric sensation down the leg, "
            "withdraw immediately and redirect more laterally.",
        ),
        home_care=(
            "change position every 20 minutes when sitting",
            "cross-legged stretch of the lateral hip",
            "walk with an even stride",
        ),
        case="A 58-year-old taxi driver has 'sciatica' from buttock to ankle on the side of "
        "the leg; neurological examination and lumbar MRI are unremarkable.",
    ),
    "piriformis": _Teaching(
        attachments="anterior surface of the sacrum (S2 to S4) and the sacrotuberous "
        "ligament; superior border of the greater trochanter",
        actions="externally rotates the extended hip and abducts the flexed hip",
        loaded_by=(
            "long drives with the foot on the accelerator",
            "running and rapid turning",
            "sitting on a wallet",
            "a fall onto the buttock",
        ),
        channel="Piriformis lies beneath GB30 and along the Bladder sinew channel; the "
        "combination of GB30 with distal Bladder points such as BL40 is a classical approach "
        "to sciatic-type pain.",
        points="GB30 (Huantiao) overlies the lateral part of piriformis where it approaches the "
        "greater trochanter, lateral to the sciatic nerve.",
        position="prone with a pillow under the pelvis, or side-lying with the hip flexed "
        "to 60 degrees",
        palpation="Draw a line from the upper border of the greater trochanter to the sacrum at "
        "the level of the greater sciatic notch; palpate the lateral third through gluteus "
        "maximus, then the medial third close to the sacrum.",
        tests=(
            "FAIR test (flexion, adduction, internal rotation)",
            "Pace and Freiberg signs",
            "pain on prolonged sitting",
        ),
        differentials=(
            "lumbar disc herniation with S1 radiculopathy",
            "sacroiliac joint dysfunction",
            "ischial bursitis",
            "hamstring origin tendinopathy",
        ),
        red_flags=(
            "bilateral leg symptoms or saddle anaesthesia",
            "progressive weakness",
            "night pain with weight loss",
        ),
        needling=(
            "Needle the lateral third of the muscle, where the sciatic nerve is not "
            "directly beneath.",
            "Insert perpendicular through gluteus maximus with a 0.30 x 75 mm needle and "
            "advance slowly, asking the patient to report any electric sensation.",
            "On any shooting pain or paraesthesia, withdraw at once and redirect laterally; "
            "document the event.",
        ),
        home_care=(
            "move the wallet out of the back pocket",
            "seated figure-four stretch, 30 seconds, three times a day",
            "cushion under the thigh on long drives",
        ),
        case="A 33-year-old delivery driver has deep buttock pain and tingling down the back "
        "of the thigh after long shifts; it eases when he walks.",
    ),
    "gastrocnemius-soleus": _Teaching(
        attachments="gastrocnemius from the medial and lateral femoral condyles, soleus from "
        "the posterior tibia and fibula; both to the calcaneus via the Achilles tendon",
        actions="plantarflex the ankle; gastrocnemius also flexes the knee and soleus pumps "
        "venous blood back toward the heart",
        loaded_by=(
            "high heels or a sudden switch to flat running shoes",
            "hill running",
            "sleeping with the toes pointed",
            "dehydration and some medications (statins, diuretics)",
        ),
        channel="The calf is the territory of the Bladder channel; BL57 and BL40 are classical "
        "points for cramps and leg pain, and calf cramps are often read as Liver blood "
        "failing to nourish the sinews.",
        points="BL57 (Chengshan) lies at the apex of the angle formed by the two gastrocnemius "
        "heads when the heel is raised, over the junction of gastrocnemius and soleus.",
        position="prone with the feet over the edge of the table or on a bolster",
        palpation="Pincer-palpate each head of gastrocnemius from the knee crease down; flat-"
        "palpate soleus against the tibia and fibula above the Achilles tendon with the knee bent.",
        tests=(
            "knee-straight and knee-bent dorsiflexion (gastrocnemius vs soleus)",
            "single-leg heel raises",
            "first-step pain in the morning",
        ),
        differentials=(
            "deep vein thrombosis",
            "Achilles tendinopathy",
            "plantar fasciitis",
            "S1 radiculopathy",
            "peripheral arterial disease",
        ),
        red_flags=(
            "one swollen, warm calf (possible DVT): refer the same day",
            "calf pain on walking relieved by rest",
            "sudden 'kick' in the calf (tendon rupture)",
        ),
        needling=(
            "Needle with the patient prone and the foot supported in slight plantarflexion.",
            "Use a pincer grasp for the gastrocnemius heads and needle across the belly; "
            "needle soleus toward the tibia or fibula to use the bone as a guide.",
            "Avoid the midline of the popliteal fossa (tibial nerve and popliteal vessels); "
            "do not needle a calf you suspect of thrombosis.",
        ),
        home_care=(
            "wall calf stretch with the knee straight and then bent",
            "warm the calves and stretch before bed",
            "increase running mileage gradually; check footwear",
        ),
        case="A 27-year-old teacher who started running in new minimalist shoes wakes with "
        "calf cramps and limps for the first few steps each morning.",
    ),
    "masseter-temporalis": _Teaching(
        attachments="masseter from the zygomatic arch to the ramus and angle of the mandible; "
        "temporalis from the temporal fossa to the coronoid process",
        actions="elevate the mandible to close the jaw; posterior temporalis fibres also "
        "retract it",
        loaded_by=(
            "clenching and night-time grinding",
            "chewing gum",
            "long dental procedures",
            "forward head posture and stress",
        ),
        channel="Masseter lies under the Stomach channel and temporalis under the Gallbladder "
        "and Triple Burner channels; jaw clenching is often read as Liver qi stagnation "
        "with Stomach heat.",
        points="ST6 (Jiache) lies one finger-breadth anterior and superior to the angle of the "
        "mandible on the masseter when the teeth are clenched; ST7 (Xiaguan) lies in the "
        "depression below the zygomatic arch, needled with the mouth closed.",
        position="supine, head supported, jaw relaxed and slightly open",
        palpation="Pincer-palpate masseter with one gloved finger inside the cheek and the "
        "thumb outside; palpate temporalis with flat fingers above the ear while the "
        "patient clenches and relaxes.",
        tests=(
            "mouth opening measured as knuckles between the incisors",
            "deviation on opening",
            "clenching onto a tongue depressor",
        ),
        differentials=(
            "dental pathology or cracked tooth",
            "TMJ disc displacement",
            "trigeminal neuralgia",
            "giant cell arteritis",
        ),
        red_flags=(
            "jaw claudication with scalp tenderness over 50 (temporal arteritis)",
            "trismus with fever or swelling",
            "numbness of the chin or lip",
        ),
        needling=(
            "ST7 is needled with the mouth closed; ST6 and masseter bands can be needled "
            "perpendicular to a depth of 10-15 mm.",
            "Palpate the superficial temporal artery in front of the ear before needling "
            "temporalis and stay clear of it.",
            "Use fine 0.20 x 25 mm needles; facial bruising is visible, so apply firm "
            "pressure after withdrawal.",
        ),
        home_care=(
            "'lips together, teeth apart' reminders during the day",
            "warm compress and gentle jaw opening exercises",
            "ask the dentist about a night guard",
        ),
        case="A 40-year-old lawyer has had aching molars and temporal headaches since a "
        "stressful trial; his dentist found no dental cause.",
    ),
}


# --------------------------------------------------------------------------- #
# Lesson notes (hand-written templates per module theme + per-muscle material)
# --------------------------------------------------------------------------- #
_NCCAOM_URL = "https://www.nccaom.org"
_CNT_URL = "https://www.ccaom.org/ccaom/Clean_Needle_Technique.asp"
_PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/?term=myofascial+trigger+point+dry+needling"


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"- {item[0].upper()}{item[1:]}" for item in items)


def _numbered(items: tuple[str, ...]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))


def _join(items: tuple[str, ...] | list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _lc(text: str) -> str:
    """Lower-case the first letter unless the first word is an abbreviation (FAIR, TMJ)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[0].lower() + text[1:]


_PLURAL = {"scalenes", "gastrocnemius-soleus", "masseter-temporalis"}


def _prose(m: MuscleGroup) -> str:
    """Muscle name for running text: 'upper trapezius', 'masseter and temporalis'."""
    return _lc(m.name).replace(" & ", " and ")


def _points_phrase(m: MuscleGroup) -> str:
    if not m.acupoints:
        return "local ashi points"
    return _join(list(m.acupoints))


def _anatomy(m: MuscleGroup, t: _Teaching) -> str:
    return f"""## Functional anatomy of the {_prose(m)}

In this video we dissect the {_prose(m)} layer by layer on a model and on a live patient,
so that you can picture the muscle under your fingers before you palpate.

### Attachments
{t.attachments[0].upper() + t.attachments[1:]}.

### Actions
{"They" if m.slug in _PLURAL else "It"} {t.actions}.
Knowing the action tells you which movement will provoke the patient's pain and
which position will shorten or lengthen the taut band.

### Common overload factors
{_bullets(t.loaded_by)}

### Key points to take away
- Trigger points form where the muscle is repeatedly overloaded or held shortened.
- Surface landmarks and {_points_phrase(m)} help you locate the muscle quickly in clinic.
- Ask about the overload factors above at every visit: they explain recurrence.
"""


def _referral(m: MuscleGroup, t: _Teaching) -> str:
    zones = _bullets(tuple(_ZONE_LABEL[z] for z in m.referral_zones))
    syndromes = _join([_lc(s) for s in m.pain_syndromes])
    return f"""## Referral pattern and pain syndromes

Active trigger points in the {_prose(m)} refer pain to areas that are often some
distance from the muscle itself. Patients describe where it hurts, not where the cause
lies, so the referral map is your first diagnostic tool.

### Typical referral zones
{zones}

Use the interactive body map in the catalogue to see these zones on the figure and to
compare them with other muscles that refer to the same places.

### Associated pain syndromes
The {_prose(m)} {"are" if m.slug in _PLURAL else "is"} a frequent, and frequently missed,
contributor to {syndromes}.
Pain is usually deep and aching, worse with the overloading activity and partly relieved
by rest and warmth. Satellite trigger points often develop in the muscles of the
referral zone, which is why treatment of the zone alone gives only short relief.

### Reading the pattern
1. Ask the patient to draw the pain with one finger on the body chart.
2. Compare the drawing with the zones above.
3. Confirm by reproducing the familiar pain on palpation (next module).
"""


def _channels(m: MuscleGroup, t: _Teaching) -> str:
    return f"""## Chinese medicine perspective: channels and points

Trigger points are not a replacement for channel theory: most of them lie close to
classical or ashi points, and the referral patterns overlap with the sinew (jingjin)
channels described in the *Lingshu*.

### Channel context
{t.channel}

### Points in this region
{t.points}

### Integrating both models
- Use pattern differentiation to choose distal and constitutional points.
- Use the trigger-point examination to decide exactly where, how deep and in which
  direction to needle locally.
- Record both in the chart: the pattern, and the muscle, side and referral reproduced.

A review of the overlap between trigger points and acupoints, and of the research on
needling them, is a good starting point for further reading: see the
[PubMed search on myofascial trigger-point needling]({_PUBMED_URL}).
"""


def _history(m: MuscleGroup, t: _Teaching) -> str:
    return f"""## History, red flags and differential diagnosis

A focused history separates myofascial pain from conditions that need referral. Ask
when the pain started, what the patient was doing, what makes it worse, and which
movements are restricted.

### Typical story
{t.case}

### Differential diagnosis
Consider, and document that you considered:
{_bullets(t.differentials)}

### Red flags: stop and refer
{_bullets(t.red_flags)}

If any red flag is present, do not treat the trigger point first: refer to the
patient's physician and record the referral. Myofascial pain can coexist with these
conditions, so a normal scan does not exclude a trigger-point component, and a tender
point does not exclude serious disease.
"""


def _palpation(m: MuscleGroup, t: _Teaching) -> str:
    return f"""## Palpation: finding the {_prose(m)} trigger points

This video shows the palpation sequence on three patients of different builds.

### Positioning
Place the patient {t.position}. Warm hands, a relaxed patient and a slightly
lengthened muscle make taut bands far easier to feel.

### Technique
{t.palpation}

### Confirming an active trigger point
- A palpable taut band within the muscle
- An exquisitely tender spot (nodule) along the band
- Pressure reproduces the patient's *familiar* pain, including the referral
- A local twitch response on snapping palpation or needling

### Movement tests
{_bullets(t.tests)}

Record the side, the location relative to {_points_phrase(m)} and the pain the
patient recognised; you will re-test the same point after treatment.
"""


def _case_study(m: MuscleGroup, t: _Teaching) -> str:
    return f"""## Case study and re-assessment

We follow one patient from the first visit to discharge.

### Presentation
{t.case}

### Findings
- Referral reproduced from the {_prose(m)}: {_join([_lc(_ZONE_LABEL[z]) for z in m.referral_zones])}
- Key test: {_lc(t.tests[0])} reproduced the familiar pain
- No red flags; differentials ({_join(list(t.differentials[:2]))}) were considered and documented

### Plan
1. Local needling of the active trigger points, with {_points_phrase(m)} in the treatment.
2. Distal and constitutional points chosen from the pattern.
3. Home care from the first visit: {t.home_care[0]}.

### Re-assessment
Re-test the same movement and the same point at the end of every session and at the
start of the next. A useful target is a clear change in range or pain within three
visits; if it does not come, revisit the diagnosis.
"""


def _needling(m: MuscleGroup, t: _Teaching) -> str:
    caution = (
        f"> **Caution: {m.needling_caution}** Review the anatomy before every treatment; "
        "this is the most important slide in the course.\n\n"
        if m.needling_caution
        else ""
    )
    return f"""## Needling technique

{caution}This video demonstrates needling of the {_prose(m)} step by step, with
close-ups of hand position, needle angle and the local twitch response.

### Preparation
- Informed consent, including the expected soreness for 24-48 hours
- Patient {t.position}
- Clean Needle Technique throughout; see the
  [CCAOM Clean Needle Technique manual]({_CNT_URL})

### Steps
{_numbered(t.needling)}

### After needling
Apply firm pressure for 30 seconds, re-test the movement and the referral, and explain
post-needling soreness. Heat, gentle movement and hydration help it settle.
"""


def _plan(m: MuscleGroup, t: _Teaching) -> str:
    return f"""## Treatment plan and home care

### Course of treatment
Most patients with a recent {_prose(m)} problem improve within three to six weekly
sessions. Chronic cases and patients with strong perpetuating factors may need longer,
with sessions spaced as they improve.

### A typical session
1. Re-assess the movement test and the trigger point found last time.
2. Needle the active trigger points, including {_points_phrase(m)} where they coincide.
3. Add distal points according to the pattern.
4. Teach or check one home-care exercise.

### Home care
{_bullets(t.home_care)}

### Removing the cause
Go through the overload factors again with the patient; if one of them persists
(for example {_lc(t.loaded_by[0])}), the trigger points are likely to return.
Refer to a physician or physical therapist when progress stalls.
"""


def _documentation(m: MuscleGroup, t: _Teaching) -> str:
    caution = (
        f"the specific risk for this muscle ({_lc(m.needling_caution.rstrip('.'))})"
        if m.needling_caution
        else "the usual risks of bruising, soreness and fainting"
    )
    return f"""## Documentation, consent and safety review

Good notes protect your patient and your licence, and they show your licensing board
that continuing education changes your practice.

### What to record at each visit
- Muscle, side and location of each trigger point treated
- Referral reproduced and the patient's own description
- Needle size, depth, direction and number of insertions
- Response: twitch, change in range, adverse events

### Consent
Explain trigger-point needling in plain language, including {caution}.
Document that the patient agreed and had the chance to ask questions.

### Scope and standards
Needling technique is governed by your state's scope of practice; check your board's
current rules and the [NCCAOM]({_NCCAOM_URL}) code of ethics. When a technique in this
course is new to you, practise under supervision before using it with patients.

### Adverse events
If a patient reports breathlessness, an electric pain that persists or unusual
swelling after treatment, stop, assess and refer promptly.
"""


_MODULE_1 = "Anatomy and referral pattern"
_MODULE_2 = "Assessment and palpation"


def _durations(index: int) -> tuple[int, int]:
    """Deterministic (video, reading) durations in minutes for a lesson position."""
    return 12 + (index * 7) % 13, 6 + (index * 4) % 9


def _build_course(
    n: int, m: MuscleGroup, ce_minutes: int, instructor: str, title: str, summary: str
) -> Course:
    t = _TEACHING[m.slug]
    counts = {120: (2, 2, 2), 180: (3, 2, 3), 240: (3, 3, 3)}[ce_minutes]
    plan = (
        (
            _MODULE_1,
            (
                ("functional-anatomy", f"Functional anatomy of the {_prose(m)}", "video", _anatomy),
                ("referral-pattern", "Referral pattern and pain syndromes", "reading", _referral),
                (
                    "channels-and-points",
                    "Chinese medicine perspective: channels and points",
                    "video",
                    _channels,
                ),
            ),
        ),
        (
            _MODULE_2,
            (
                (
                    "history-and-red-flags",
                    "History, red flags and differential diagnosis",
                    "reading",
                    _history,
                ),
                ("palpation", f"Palpating the {_prose(m)}", "video", _palpation),
                ("case-study", "Case study and re-assessment", "video", _case_study),
            ),
        ),
        (
            "Needling technique and safety"
            if m.needling_caution
            else "Needling technique and home care",
            (
                ("needling-technique", "Needling technique, step by step", "video", _needling),
                ("treatment-plan", "Treatment plan and home care", "reading", _plan),
                (
                    "documentation-and-consent",
                    "Documentation, consent and safety review",
                    "reading",
                    _documentation,
                ),
            ),
        ),
    )
    modules = []
    position = n * 9
    for (module_title, lessons), count in zip(plan, counts, strict=True):
        built = []
        for slug, lesson_title, kind, writer in lessons[:count]:
            position += 1
            video_min, reading_min = _durations(position)
            built.append(
                Lesson(
                    slug=slug,
                    title=lesson_title,
                    kind=kind,
                    duration_minutes=video_min if kind == "video" else reading_min,
                    notes=writer(m, t).strip() + "\n",
                )
            )
        modules.append(Module(title=module_title, lessons=tuple(built)))
    return Course(
        slug=m.slug,
        code=f"TPR-{101 + n}",
        title=title,
        summary=summary,
        muscle=m.slug,
        ce_minutes=ce_minutes,
        instructor_email=instructor,
        modules=tuple(modules),
    )


# --------------------------------------------------------------------------- #
# Users
# --------------------------------------------------------------------------- #
ADMIN_EMAIL = "admin@demo.lms"
MEI_CHEN = "mei.chen@demo.lms"
JORDAN_RIVERA = "jordan.rivera@demo.lms"

# (muscle slug, ce_minutes, instructor, title, summary)
_COURSE_SPECS: tuple[tuple[str, int, str, str, str], ...] = (
    (
        "upper-trapezius",
        180,
        MEI_CHEN,
        "Upper Trapezius: Trigger-Point Release for Tension Headache and Neck Pain",
        "Locate and release upper trapezius trigger points that refer to the neck, mastoid, "
        "temple and jaw. Learn safe pincer-grasp needling at GB21 that respects the lung apex.",
    ),
    (
        "levator-scapulae",
        120,
        MEI_CHEN,
        "Levator Scapulae: Releasing the Stiff Neck and Torticollis",
        "Recognise the levator scapulae behind the acute stiff neck and pain along the medial "
        "scapular border. Practise side-lying needling onto the scapula with SI14 and SI15.",
    ),
    (
        "sternocleidomastoid",
        180,
        MEI_CHEN,
        "Sternocleidomastoid: Headache, Dizziness and Atypical Facial Pain",
        "Trace sternocleidomastoid referral to the forehead, eye, ear and vertex and separate it "
        "from vestibular and vascular causes. Needle safely in a pincer grasp away from the "
        "carotid sheath.",
    ),
    (
        "scalenes",
        240,
        MEI_CHEN,
        "Scalenes: Thoracic-Outlet-Like Arm Pain",
        "Differentiate scalene referral to the chest, arm and thumb from radiculopathy and true "
        "thoracic outlet syndrome. An advanced, supervised approach to shallow needling near the "
        "brachial plexus and ST12.",
    ),
    (
        "supraspinatus",
        120,
        JORDAN_RIVERA,
        "Supraspinatus: Shoulder Pain on Abduction",
        "Assess the painful arc and the deep deltoid ache of supraspinatus trigger points. Needle "
        "into the supraspinous fossa at SI12 using the bony floor as your depth guide.",
    ),
    (
        "infraspinatus",
        120,
        JORDAN_RIVERA,
        "Infraspinatus: When the Patient Cannot Reach Behind the Back",
        "Find the infraspinatus trigger points that patients feel as pain in the front of the "
        "shoulder. Combine SI11 with fan needling onto the scapula and a simple home programme.",
    ),
    (
        "subscapularis",
        180,
        JORDAN_RIVERA,
        "Subscapularis: Trigger Points in the Frozen Shoulder",
        "Understand the role of subscapularis in frozen shoulder and its referral to the back of "
        "the shoulder and wrist. Learn a supine approach along the scapula that keeps clear of the "
        "axillary vessels.",
    ),
    (
        "quadratus-lumborum",
        240,
        JORDAN_RIVERA,
        "Quadratus Lumborum: Trigger-Point Release for Acute Low Back Pain",
        "Identify quadratus lumborum as the source of low back, sacroiliac and buttock pain. "
        "Needle safely below the twelfth rib with BL23 and BL52 while controlling depth over "
        "the kidney.",
    ),
    (
        "iliopsoas",
        180,
        JORDAN_RIVERA,
        "Iliopsoas: The Hidden Source of Low Back Pain",
        "Recognise iliopsoas referral to the lumbar spine and upper thigh in desk workers and "
        "cyclists. Practise palpation and a bone-guided iliacus approach that avoids the "
        "abdominal organs.",
    ),
    (
        "gluteus-medius",
        120,
        JORDAN_RIVERA,
        "Gluteus Medius: Low Back and Sacral Pain from the Hip",
        "Relate gluteus medius trigger points to pain along the iliac crest, sacrum and lateral "
        "buttock. Use GB29 and perpendicular needling onto the ilium in side-lying.",
    ),
    (
        "gluteus-minimus",
        180,
        MEI_CHEN,
        "Gluteus Minimus: Recognising and Treating Pseudo-Sciatica",
        "Distinguish gluteus minimus referral down the lateral and posterior leg from true "
        "radiculopathy. Needle the deep gluteal layer at GB30 while keeping clear of the "
        "sciatic nerve.",
    ),
    (
        "piriformis",
        240,
        JORDAN_RIVERA,
        "Piriformis: Trigger-Point Release for Piriformis Syndrome and Sciatica",
        "Assess piriformis syndrome with the FAIR test and a careful neurological screen. Learn "
        "safe lateral needling near GB30 that respects the sciatic nerve.",
    ),
    (
        "gastrocnemius-soleus",
        120,
        MEI_CHEN,
        "Gastrocnemius and Soleus: Calf Cramps and Heel Pain",
        "Separate gastrocnemius and soleus trigger points as causes of night cramps and heel pain "
        "from thrombosis and tendon injury. Needle the calf safely around BL57 and build a "
        "stretching plan.",
    ),
    (
        "masseter-temporalis",
        180,
        MEI_CHEN,
        "Masseter and Temporalis: TMJ Pain, Headache and Toothache",
        "Examine the jaw muscles behind TMJ pain, temporal headache and toothache without dental "
        "cause. Needle ST6, ST7 and temporalis bands with fine needles and simple self-care.",
    ),
)

COURSES: tuple[Course, ...] = tuple(
    _build_course(n, _MUSCLE[slug], minutes, instructor, title, summary)
    for n, (slug, minutes, instructor, title, summary) in enumerate(_COURSE_SPECS)
)

_L = Licence

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(ADMIN_EMAIL, "Avery Admin", "admin"),
    DemoUser(
        MEI_CHEN, "Dr. Mei Lin Chen, DAOM, L.Ac.", "instructor", (_L("CA", "AC 10482"),), "48213"
    ),
    DemoUser(
        JORDAN_RIVERA,
        "Jordan Rivera, L.Ac.",
        "instructor",
        (_L("FL", "AP2871"), _L("NY", "008814")),
        "61570",
    ),
    # learners
    DemoUser("priya.raman@demo.lms", "Priya Raman", "learner", (_L("CA", "AC 18342"),), "72301"),
    DemoUser(
        "marcus.johnson@demo.lms", "Marcus Johnson", "learner", (_L("FL", "AP3190"),), "58812"
    ),
    DemoUser(
        "sofia.hernandez@demo.lms",
        "Sofía Hernández",
        "learner",
        (_L("CA", "AC 20117"), _L("NV", "OMD-0412")),
        "80455",
    ),
    DemoUser("daniel.kim@demo.lms", "Daniel Kim", "learner", (_L("NY", "011237"),), "143"),
    DemoUser("aisha.okafor@demo.lms", "Aisha Okafor", "learner", (_L("TX", "AC01588"),), None),
    DemoUser("liam.oconnor@demo.lms", "Liam O'Connor", "learner", (_L("MA", "AC-5121"),), "39027"),
    DemoUser("hana.sato@demo.lms", "Hana Sato", "learner", (_L("CA", "AC 15903"),), "66108"),
    DemoUser(
        "david.cohen@demo.lms",
        "David Cohen",
        "learner",
        (_L("NY", "009941"), _L("NJ", "25MZ00412300")),
        "27719",
    ),
    DemoUser(
        "grace.nguyen@demo.lms", "Grace Nguyen", "learner", (_L("WA", "AC60456712"),), "91046"
    ),
    DemoUser("tomas.silva@demo.lms", "Tomás Silva", "learner", (_L("FL", "AP4402"),), None),
    DemoUser("emily.walker@demo.lms", "Emily Walker", "learner", (_L("OR", "AC00197"),), "4512"),
    DemoUser("kwame.mensah@demo.lms", "Kwame Mensah", "learner", (_L("MD", "U01874"),), "103388"),
    DemoUser("yuki.tanaka@demo.lms", "Yuki Tanaka", "learner", (_L("CA", "AC 21766"),), None),
    DemoUser(
        "rachel.goldberg@demo.lms", "Rachel Goldberg", "learner", (_L("NY", "013502"),), "57230"
    ),
    DemoUser("ahmed.hassan@demo.lms", "Ahmed Hassan", "learner", (_L("TX", "AC02214"),), "86071"),
    DemoUser(
        "olivia.brown@demo.lms",
        "Olivia Brown",
        "learner",
        (_L("FL", "AP3877"), _L("GA", "ACU000318")),
        "35594",
    ),
    DemoUser("wei.zhang@demo.lms", "Wei Zhang", "learner", (_L("CA", "AC 12045"),), "912"),
    DemoUser(
        "isabella.rossi@demo.lms", "Isabella Rossi", "learner", (_L("CO", "ACU.0001942"),), "70219"
    ),
    DemoUser("noah.peterson@demo.lms", "Noah Peterson", "learner", (_L("MN", "AC1077"),), None),
    DemoUser(
        "fatima.alsayed@demo.lms", "Fatima Al-Sayed", "learner", (_L("IL", "016.001288"),), "44960"
    ),
    DemoUser(
        "jamal.williams@demo.lms", "Jamal Williams", "learner", (_L("FL", "AP4719"),), "25817"
    ),
    DemoUser("ana.kowalski@demo.lms", "Ana Kowalski", "learner", (_L("NY", "014876"),), None),
    DemoUser("malia.kahale@demo.lms", "Malia Kahale", "learner", (_L("HI", "ACU-1213"),), "68342"),
    DemoUser(
        "samuel.adeyemi@demo.lms", "Samuel Adeyemi", "learner", (_L("CA", "AC 19388"),), "523641"
    ),
)

LEARNERS: tuple[DemoUser, ...] = tuple(u for u in DEMO_USERS if u.role == "learner")


def _enrolments() -> tuple[tuple[str, str], ...]:
    """Each learner gets 1-5 courses, spread deterministically over the catalogue."""
    pairs = []
    n = len(COURSES)
    for i, learner in enumerate(LEARNERS):
        count = 1 + (i * 3) % 5
        start = (i * 5) % n
        for k in range(count):
            pairs.append((learner.email, COURSES[(start + k * 3) % n].slug))
    # One keen learner follows most of the catalogue: "my learning" at full size.
    keen = LEARNERS[0].email
    taken = {slug for email, slug in pairs if email == keen}
    for course in COURSES:
        if len(taken) >= 10:
            break
        if course.slug not in taken:
            pairs.append((keen, course.slug))
            taken.add(course.slug)
    return tuple(pairs)


ENROLMENTS: tuple[tuple[str, str], ...] = _enrolments()
