"""The questionnaires' items, in one place: PHQ-9, GAD-7, ASQ and the TMS safety screen.

PHQ-9, GAD-7 and ASQ use their published wording verbatim, with the attribution their
publishers ask for. The TMS safety questions are our own plain-language version of the
IFCN screening questionnaire. Forms are built from these lists (see ``intake.forms.patient``).
"""

from __future__ import annotations

from dataclasses import dataclass

from intake import vocabulary as vocab


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    hint: str | None = None


PHQ_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)
ASQ_ATTRIBUTION = (
    "Ask Suicide-Screening Questions (ASQ) from the ASQ toolkit of the National Institute of "
    "Mental Health (NIMH)."
)

FREQUENCY_CHOICES = vocab.form_choices(vocab.FREQUENCY)

PHQ9_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being "
    "so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
PHQ9_DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)
PHQ9_DIFFICULTY_CHOICES = vocab.form_choices(vocab.PHQ9_DIFFICULTY)

GAD7_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)

ASQ_ITEMS = (
    Item("wished_dead", "In the past few weeks, have you wished you were dead?"),
    Item(
        "family_better_off",
        "In the past few weeks, have you felt that you or your family would be better off if "
        "you were dead?",
    ),
    Item(
        "thoughts_of_killing_self",
        "In the past week, have you been having thoughts about killing yourself?",
    ),
    Item("ever_tried", "Have you ever tried to kill yourself?"),
)
ASQ_RIGHT_NOW = Item(
    "thoughts_right_now",
    "Are you having thoughts of killing yourself right now?",
)

SAFETY_ITEMS = (
    Item("seizure_history", "Have you ever had a seizure or convulsion?", "Also called a fit."),
    Item(
        "family_epilepsy",
        "Does anyone in your close family (parent, brother, sister, child) have epilepsy?",
    ),
    Item("fainting", "Have you ever fainted or passed out without a clear reason?"),
    Item(
        "head_injury_loss_of_consciousness",
        "Have you ever had a head injury that made you pass out (lose consciousness)?",
    ),
    Item(
        "brain_condition",
        "Have you ever had a stroke, a brain tumour, an aneurysm, brain surgery or a shunt?",
    ),
    Item(
        "metal_in_head",
        "Do you have any metal in your head or neck?",
        "For example clips, plates, stents, shrapnel or bullet pieces, or implants. "
        "Dental fillings, crowns and braces do NOT count.",
    ),
    Item("cochlear_implant", "Do you have a cochlear implant (an implant for hearing)?"),
    Item(
        "implanted_neurostimulator",
        "Do you have an implanted nerve or brain stimulator?",
        "For example deep brain stimulation (DBS), a cortical stimulator or a vagus nerve "
        "stimulator.",
    ),
    Item(
        "cardiac_device",
        "Do you have a heart pacemaker or an implanted defibrillator?",
    ),
    Item(
        "medication_pump",
        "Do you have an implanted medicine pump?",
        "For example an insulin pump placed under the skin, or a pain medicine pump.",
    ),
    Item("hearing_problems", "Do you have hearing loss or ringing in your ears?"),
    Item("frequent_headaches", "Do you often get headaches or migraines?"),
    Item(
        "alcohol_or_drug_concern",
        "Are you worried about how much alcohol you drink or drugs you use?",
        "Or have you recently stopped heavy drinking or sleeping pills?",
    ),
    Item("prior_tms_problem", "Have you had TMS before and had a problem with it?"),
)
PREGNANT_ITEM = Item(
    "pregnant",
    "Are you pregnant, or could you be pregnant?",
    "Choose “Does not apply to me” if you cannot become pregnant.",
)
