"""The answer builders: intent + slots + knowledge -> a short answer in complete sentences.

Every fact comes from the Knowledge records; the code only supplies sentence frames.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from bot.dialogue.reply import Outcome
from bot.nlu.form import chronological
from bot.schema.intents import IntentSpec
from bot.schema.knowledge import Force, Knowledge
from bot.tuning import TUNING


@dataclass(frozen=True, slots=True)
class Request:
    """What an answer builder is asked: the intent, the slots filled, and look-up evidence."""

    spec: IntentSpec
    forces: tuple[str, ...] = ()
    body: str | None = None
    lookup: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer builder's result, before the dialogue wraps it into a Reply."""

    text: str
    outcome: Outcome = Outcome.ANSWER
    source: str | None = None
    forces: tuple[str, ...] = ()
    body: str | None = None
    suggestions: tuple[str, ...] | None = None  # None: the intent's own suggestions


AnswerBuilder = Callable[[Knowledge, Request], Answer]


def join(items: Sequence[str], word: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


_COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count(n: int) -> str:
    """A small number in words, as prose writes it."""
    return _COUNTS[n] if 0 <= n < len(_COUNTS) else str(n)


def capitalised(text: str) -> str:
    """``text`` with a capital first letter."""
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """``text`` with a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def quoted(title: str) -> str:
    """A title in quotation marks."""
    return f"“{title}”"


def page_source(k: Knowledge) -> str:
    """The citation of the page."""
    return k.source.citation


def body_name(k: Knowledge, body_id: str) -> str:
    """How the page refers to a body (its abbreviation)."""
    return k.body(body_id).abbreviation


# ------------------------------------------------------------------ small talk


def canned(k: Knowledge, req: Request) -> Answer:
    """A fixed small-talk reply from intents.yaml."""
    return Answer(req.spec.reply or "", Outcome.SMALLTALK)


def help_(k: Knowledge, req: Request) -> Answer:
    """What the bot can answer, with examples."""
    forces = join([f.name for f in k.forces])
    text = (
        f"I answer questions about one {body_name(k, k.source.publisher)} page: "
        f"{quoted(k.source.title)}. "
        f"Ask me about the {k.consultation.date} consultation, the pilot inspections of "
        f"{forces} ({k.inspections.date}), why each force was chosen, what inspectors "
        f"found, the reports, the deferral to {k.deferral.deferred_until}, or what the "
        f"bodies' initials stand for. Type as you would to a person; follow-ups like "
        f"“and what about {k.forces[-1].short_name}?” work too."
    )
    return Answer(
        text,
        Outcome.SMALLTALK,
        suggestions=(
            f"Why was {k.forces[0].name} chosen?",
            "What did inspectors find?",
            f"Who ran the {k.consultation.date} consultation?",
        ),
    )


def about(k: Knowledge, req: Request) -> Answer:
    """What the bot is and is not."""
    s = k.safety
    text = (
        f"I'm an automated question-answering bot. I answer only from one public "
        f"{body_name(k, k.source.publisher)} page, {quoted(k.source.title)}, and I am not "
        f"run by {body_name(k, k.source.publisher)} or any other inspectorate. "
        f"{s.not_a_channel} {s.in_brief}"
    )
    return Answer(text, Outcome.SMALLTALK, suggestions=())


# ------------------------------------------------------------------ the programme


def overview(k: Knowledge, req: Request) -> Answer:
    """What the page is about."""
    return Answer(k.summary, source=page_source(k))


def period(k: Knowledge, req: Request) -> Answer:
    """The period the page covers, and its title."""
    text = (
        f"The page, {body_name(k, k.source.publisher)}'s {quoted(k.source.title)}, covers "
        f"multi-agency child protection arrangements between {k.source.period_start} and "
        f"{k.source.period_end}."
    )
    return Answer(text, source=page_source(k))


def consultation(k: Knowledge, req: Request) -> Answer:
    """Who ran the consultation, when, and on what."""
    c = k.consultation
    names = [k.body(b).page_name for b in c.bodies]
    text = (
        f"In {c.date}, a consultation exercise was held by {count(len(names))} bodies: "
        f"{join(names)}. "
        f"It was on {c.subject}."
    )
    return Answer(text, source=page_source(k))


def pilot(k: Knowledge, req: Request) -> Answer:
    """The pilot inspection programme."""
    forces = [k.force(f).name for f in k.pilot_forces]
    text = (
        f"{sentence(k.pilot_description)} It covered {count(len(forces))} police forces: "
        f"{join(forces)}, inspected by {body_name(k, k.inspections.conducted_by)} in "
        f"{k.inspections.date}."
    )
    return Answer(text, source=page_source(k))


def inspection_timing(k: Knowledge, req: Request) -> Answer:
    """When the inspections happened and whether they were announced."""
    i = k.inspections
    kind = "announced" if i.announced else "unannounced"
    by = body_name(k, i.conducted_by)
    if req.forces:
        parts = [
            f"{by}'s inspection of {f.name} was {kind} and took place in {i.date}, within {f.area}"
            for f in _forces(k, req)
        ]
        return Answer(
            " ".join(sentence(p) for p in parts), source=page_source(k), forces=req.forces
        )
    names = join([f.name for f in k.forces])
    text = (
        f"In {i.date} {by} conducted {kind} inspections of the child protection services "
        f"delivered by {names}."
    )
    return Answer(text, source=page_source(k))


def forces_inspected(k: Knowledge, req: Request) -> Answer:
    """Which forces, and where."""
    parts = [f"{f.name} (within {f.area})" for f in k.forces]
    by = body_name(k, k.inspections.conducted_by)
    text = (
        f"{by} inspected {count(len(parts))} police forces in {k.inspections.date}: {join(parts)}."
        f" It inspected {k.inspections.subject}."
    )
    return Answer(text, source=page_source(k))


# ------------------------------------------------------------------ one force


def _forces(k: Knowledge, req: Request) -> list[Force]:
    return [k.force(f) for f in req.forces]


def _each(k: Knowledge, req: Request, build: Callable[[Force], tuple[str, bool]]) -> Answer:
    """Answer for each force asked about; NOT_ON_PAGE only if the page is silent on all."""
    texts: list[str] = []
    silent = 0
    for force in _forces(k, req):
        text, known = build(force)
        texts.append(text)
        silent += not known
    outcome = Outcome.NOT_ON_PAGE if silent == len(texts) else Outcome.ANSWER
    return Answer(" ".join(texts), outcome, page_source(k), forces=req.forces)


def selection_text(force: Force) -> str:
    """Why ``force`` was selected."""
    return (
        f"{force.name} was selected to take part in the pilot inspection programme because "
        f"{force.selection_reason}."
    )


def findings_text(k: Knowledge, force: Force, *, point_to_report: bool = True) -> tuple[str, bool]:
    """What inspectors found at ``force``, or what the page says instead."""
    if force.findings is None:
        if not point_to_report:  # the caller names the report itself
            return f"The page does not say what the inspectors found at {force.name}.", False
        where = (
            f"it says the findings are in {body_name(k, force.report.publisher)}'s report "
            f"{quoted(force.report.title)} "
            f"({force.report.date})"
            if force.report
            else "it says all the findings are detailed in the individual reports"
        )
        return f"The page does not say what the inspectors found at {force.name}; {where}.", False
    items = [f"by {item}" for item in force.findings.impressed_by]
    impressed = items[0] if len(items) == 1 else f"{', '.join(items[:-1])}, and {items[-1]}"
    return (
        f"{sentence(force.findings.summary)} They were particularly impressed {impressed}.",
        True,
    )


def report_text(k: Knowledge, force: Force) -> tuple[str, bool]:
    """The report on ``force``, or what the page names instead."""
    if force.report is not None:
        return (
            f"{body_name(k, force.report.publisher)}'s report on {force.name} is "
            f"{quoted(force.report.title)}, "
            f"dated {force.report.date}.",
            True,
        )
    others = [
        f"{body_name(k, f.report.publisher)}'s report on {f.name} ({f.report.date})"
        for f in k.forces
        if f.report is not None
    ]
    also = f" It names {join(others)}." if others else ""
    return f"The page does not name a report on {force.name}.{also}", False


def area_text(k: Knowledge, force: Force) -> str:
    """Where ``force`` was inspected."""
    return (
        f"{body_name(k, k.inspections.conducted_by)} inspected the child protection services "
        f"delivered by {force.name} within {force.area}."
    )


def force_selection(k: Knowledge, req: Request) -> Answer:
    """Why a force was chosen."""
    return _each(k, req, lambda f: (selection_text(f), True))


def force_findings(k: Knowledge, req: Request) -> Answer:
    """What inspectors found at a force; across all of them, also what needed improving."""
    answer = _each(k, req, lambda f: findings_text(k, f))
    if len(req.forces) == len(k.forces) > 1:
        return replace(answer, text=f"{answer.text} {sentence(k.improvements)}")
    return answer


def force_area(k: Knowledge, req: Request) -> Answer:
    """Which local authority area a force's inspection covered."""
    return _each(k, req, lambda f: (area_text(k, f), True))


def force_report(k: Knowledge, req: Request) -> Answer:
    """A force's report."""
    return _each(k, req, lambda f: report_text(k, f))


def force_overview(k: Knowledge, req: Request) -> Answer:
    """Everything the page says about a force."""

    def build(force: Force) -> tuple[str, bool]:
        findings, _ = findings_text(k, force, point_to_report=False)
        report, _ = report_text(k, force)
        # what the page says of this force's inspection beside Ofsted's, if it says it apart
        ofsted = f" {force.ofsted_note}" if force.ofsted_note else ""
        text = f"{area_text(k, force)} {selection_text(force)} {findings} {report}{ofsted}"
        return text, True

    return _each(k, req, build)


# ------------------------------------------------------------------ cross-cutting


def ofsted_relation(k: Knowledge, req: Request) -> Answer:
    """How the police inspections related to Ofsted's."""
    if req.forces:
        parts = [
            force.ofsted_note
            or (
                f"{k.ofsted_timing} For {force.name} that was {force.local_authority}. "
                f"{k.ofsted_independence}"
            )
            for force in _forces(k, req)
        ]
        return Answer(" ".join(parts), source=page_source(k), forces=req.forces)
    exceptions = [f"For {f.name} the page adds: {f.ofsted_note}" for f in k.forces if f.ofsted_note]
    text = " ".join([k.ofsted_timing, k.ofsted_independence, *exceptions])
    return Answer(text, source=page_source(k))


def improvements(k: Knowledge, req: Request) -> Answer:
    """Areas for improvement."""
    text = sentence(k.improvements)
    if k.improvement_details is None:
        reports = [f"{quoted(f.report.title)} ({f.report.date})" for f in k.forces if f.report]
        text += f" The page doesn't say what they were; the reports it names are {join(reports)}."
    else:
        text += " " + sentence(k.improvement_details)
    return Answer(text, source=page_source(k))


# Most force reports the timeline lists one by one.
MAX_LISTED_REPORTS = 6


def timeline(k: Knowledge, req: Request) -> Answer:
    """The page's dated events in order, each with its month."""
    c, i, d, r = k.consultation, k.inspections, k.deferral, k.renaming
    reports = [
        (f.report.date, f"{body_name(k, f.report.publisher)} published its report on {f.name}")
        for f in k.forces
        if f.report is not None
    ]
    many = len(k.forces) > MAX_LISTED_REPORTS
    inspected = f"{len(k.forces)} police forces" if many else join([f.name for f in k.forces])
    if len(reports) > MAX_LISTED_REPORTS:
        # a knowledge base with many forces: one line for their reports, not one each
        dates = sorted((date for date, _ in reports), key=chronological)
        reports = [(dates[0], f"the first of {len(reports)} reports on the forces")]
    events = [
        (c.date, f"{join([body_name(k, b) for b in c.bodies])} held the consultation"),
        (i.date, f"{body_name(k, i.conducted_by)} inspected {inspected}"),
        *reports,
        (d.announced, f"{body_name(k, d.announced_by)} announced the deferral of {d.what}"),
        (d.deferred_until, f"{capitalised(d.what)} were deferred until then"),
        (r.date, f"{body_name(k, r.old_body)} became {body_name(k, r.new_body)}"),
    ]
    events.sort(key=lambda event: chronological(event[0]))
    lines = "\n".join(f"\u2022 {date}: {what}." for date, what in events)
    text = f"The page's dates, in order:\n{lines}\n{sentence(k.pilot_description)}"
    return Answer(text, source=page_source(k))


def deferral(k: Knowledge, req: Request) -> Answer:
    """When the arrangements were deferred."""
    d = k.deferral
    p = k.press_release
    text = (
        f"In {d.announced} {body_name(k, d.announced_by)} announced that {d.what} would be "
        f"deferred until {d.deferred_until}. For more information the page points to "
        f"{body_name(k, p.publisher)}'s press release {quoted(p.title)}."
    )
    return Answer(text, source=page_source(k))


def deferral_reason(k: Knowledge, req: Request) -> Answer:
    """Why they were deferred: the page does not say."""
    d = k.deferral
    p = k.press_release
    if d.reason is not None:
        return Answer(sentence(d.reason), source=page_source(k))
    text = (
        f"The page does not say why. It says only that in {d.announced} "
        f"{body_name(k, d.announced_by)} announced that {d.what} would be deferred until "
        f"{d.deferred_until}, and points to {body_name(k, p.publisher)}'s press release "
        f"{quoted(p.title)} for more information."
    )
    return Answer(text, Outcome.NOT_ON_PAGE, page_source(k))


def press_release(k: Knowledge, req: Request) -> Answer:
    """The Ofsted press release."""
    p = k.press_release
    d = k.deferral
    when = f", dated {p.date}" if p.date else ""
    text = (
        f"The page points to {body_name(k, p.publisher)}'s press release {quoted(p.title)}"
        f"{when} for more information about the {d.announced} announcement that {d.what} "
        f"would be deferred until {d.deferred_until}."
    )
    if p.date is None:
        text += " The page does not give the press release's date."
    return Answer(text, source=page_source(k))


def hmicfrs(k: Knowledge, req: Request) -> Answer:
    """The renaming of HMIC."""
    r = k.renaming
    new = k.body(r.new_body)
    text = (
        f"In {r.date} {body_name(k, r.old_body)} took on responsibility for "
        f"{r.new_responsibility} and was renamed {new.full_name} ({new.abbreviation}). "
        f"{sentence(r.note)}"
    )
    return Answer(text, source=page_source(k))


def body_info(k: Knowledge, req: Request) -> Answer:
    """What a body's name stands for and what it did on the page."""
    if req.body is None:
        return Answer("", Outcome.FALLBACK)
    body = k.body(req.body)
    text = f"{body.abbreviation} is short for {body.full_name}. {sentence(body.on_page)}"
    if body.abbreviation.casefold() in body.full_name.casefold():
        text = f"{body.abbreviation} is {body.full_name}. {sentence(body.on_page)}"
    return Answer(text, source=page_source(k), body=req.body)


def reports(k: Knowledge, req: Request) -> Answer:
    """The reports and documents the page names."""
    named = [
        f"{quoted(f.report.title)} ({body_name(k, f.report.publisher)}, {f.report.date})"
        for f in k.forces
        if f.report
    ]
    silent = [f.name for f in k.forces if f.report is None]
    p = k.press_release
    text = (
        f"The page names the reports {join(named)}, and {body_name(k, p.publisher)}'s "
        f"press release {quoted(p.title)}."
    )
    if silent:
        text += f" It names no report on {join(silent)}."
    # where the findings are: "where can i read all the findings"
    text += f" {sentence(k.improvements)}"
    return Answer(text, source=page_source(k))


def _described(k: Knowledge, force: Force, facets: dict[str, float]) -> str:
    """What the page says of a force in the facet its look-up words name most."""
    facet = max(facets, key=lambda name: facets[name])
    return {
        "selection": lambda: selection_text(force),
        "findings": lambda: findings_text(k, force)[0],
        "ofsted": lambda: force.ofsted_note or area_text(k, force),
        "report": lambda: report_text(k, force)[0],
    }[facet]()


def which_force(k: Knowledge, req: Request) -> Answer:
    """Reverse look-up: which force matches a description; for a force named, what the
    page says of it in the words that describe it ("staffordshire info sharing was with
    who" is Staffordshire's findings)."""
    if req.forces:
        parts = [
            _described(k, f, req.lookup[f.id]) if req.lookup.get(f.id) else area_text(k, f)
            for f in _forces(k, req)
        ]
        return Answer(" ".join(parts), source=page_source(k), forces=req.forces)
    ranked = sorted(req.lookup.items(), key=lambda item: -sum(item[1].values()))
    if ranked:
        best_id, facets = ranked[0]
        runner = sum(ranked[1][1].values()) if len(ranked) > 1 else 0.0
        if sum(facets.values()) >= TUNING.lookup_margin * runner:
            force = k.force(best_id)
            detail = _described(k, force, facets)
            return Answer(
                f"That is {force.name}. {detail}", source=page_source(k), forces=(force.id,)
            )
    names = join([f.name for f in k.forces])
    text = (
        f"The page does not single out one force for that. The three forces in the pilot "
        f"were {names}; ask me why any of them was chosen or what inspectors found."
    )
    return Answer(text, Outcome.NOT_ON_PAGE, page_source(k))


ANSWERS: dict[str, AnswerBuilder] = {
    "canned": canned,
    "help": help_,
    "about": about,
    "overview": overview,
    "period": period,
    "timeline": timeline,
    "consultation": consultation,
    "pilot": pilot,
    "inspection_timing": inspection_timing,
    "forces_inspected": forces_inspected,
    "force_selection": force_selection,
    "force_findings": force_findings,
    "force_area": force_area,
    "force_report": force_report,
    "force_overview": force_overview,
    "ofsted_relation": ofsted_relation,
    "improvements": improvements,
    "deferral": deferral,
    "deferral_reason": deferral_reason,
    "press_release": press_release,
    "hmicfrs": hmicfrs,
    "body_info": body_info,
    "reports": reports,
    "which_force": which_force,
}
