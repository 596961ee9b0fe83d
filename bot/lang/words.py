"""Word lists the pipeline shares: language, not domain. Each list is defined here once."""

from __future__ import annotations

# Question words; a keyword phrase may skip a force name only after one of these.
QUESTION_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "why", "how"})

# Function words and chat filler: known, but carrying no meaning for matching.
STOPWORDS = frozenset(
    """
    a about above actually after again against all also am an and any anyone anything
    are around as at be been before being below between both but by can could did do
    does doing done down during each either else even ever every few for from further
    get gets getting go going gone got had has have having he her here hers herself him
    himself his how i if in into is it its itself just kind know let like likely lot
    lots made make many may maybe me might mine more most much must my myself need no
    nor not now of off often oh ok okay on once one only or other others our ours
    ourselves out over own please quite rather really said same say says see seem seems
    she should so some something sort still such sure tell than that the their theirs
    them themselves then there these they thing things think this those though through
    to too under until up upon us very via want wanted wants was way we well were what
    whatever when where whether which while who whom whose why will with within without
    would yes yeah yep you your yours yourself yourselves hi hello hey thanks thank
    cheers bye anyway basically exactly question questions wondering wonder wondered
    curious possibly perhaps kindly help could hoping hope hoped quick quickly again
    right alright great good nice cool lol haha hmm um uh er erm ah mate guys folks bot
    chatbot dear sir madam interested interesting understand understood explain
    explaining wanna gonna gotta dunno idk tbh btw fyi asap pls please ok k kk plus ask
    asking asked answer told tell telling know knowing knew look looking read reading
    find finding student students essay assignment dissertation project research
    researching journalist writing write piece article councillor officer work working
    job course uni university class homework mum dad friend someone people person
    grateful greatly enlighten confused confusing recall remember served serve regard
    regards respect view opinion day today summer winter spring autumn deadline confirm
    clarify kindly sorry apologies excuse pardon wondered wondering anybody somebody
    everyone everybody tho though nah yeah ya ye hmm okey oki alright fine simply simple
    short shortly brief briefly quite bit little whole entire story again back yet
    already also however therefore thus hence etc might must shall may ought matter
    matters mattered important importance relevant significant
    stuff thingy thing things whatever kinda sorta heard hear hears seen saw see sees
    said say says tell told go goes went gone come comes came give gave given take took
    taken put keep kept mean meant show showed shown try tried use used call called
    happen happened let leave left feel felt seem seemed become became bring brought
    begin began run ran hold held stand stood turn turned live lived believe believed
    never always sometimes usually already soon later early earlier late long short
    new old big small high low good bad best worst better worse first last next
    previous other another same different own real true false sure clear
    """.split()  # noqa: SIM905
)

# Words that point back at the last answer: "when was that?", "who ran it?"
REFERENTS = frozenset(
    ["that", "it", "this", "they", "them", "then", "those", "these", "its", "their", "there"]
)

# Words that ask or claim which of two things came first ("which came first, the
# consultation or the inspections?", "the pilot came before the consultation").
EARLIER_WORDS = frozenset({"first", "before", "earlier", "preceded", "prior", "sooner"})
LATER_WORDS = frozenset({"after", "later", "afterwards", "followed"})
# An open question asks the order only with one of these ("which came first, ...?").
ORDER_ASKED = frozenset({"first", "earlier", "sooner"})

# Phrases that point at one force without naming it ("when was the force's report out?").
ONE_FORCE_MEANT = frozenset(
    tuple(p.split())
    for p in ("the force", "that force", "this force", "the police force", "that one", "the one")
)

# Phrases that mean every force at once.
ALL_FORCES = frozenset(
    (
        ("forces",),
        ("all", "3"),
        ("the", "3"),
        ("each", "force"),
        ("every", "force"),
        ("each", "of", "them"),
        ("all", "of", "them"),
        ("overall",),
        ("across",),
    )
)

# Plural words for where the forces were inspected: "which areas were covered" asks about
# them all.
PLURAL_PLACES = frozenset({"areas", "councils", "authorities", "boroughs", "places"})
# Words that ask a per-force question of every force the last answer listed ("and the
# council areas?", "and the reports?" after the three forces).
PLURAL_FOLLOW_UP = PLURAL_PLACES | frozenset({"each", "both", "reports", "reasons", "dates"})
# (not "they": "was our force one of those examined?" then "why were they chosen?" means
# the asker's one force, so the bot asks which)
# The plural that asks a per-force question of every force: "what did the inspections find?"
ALL_INSPECTIONS = frozenset({"inspections"})

# Phrases that ask which force(s) something is about.
WHICH_FORCE = frozenset(
    tuple(p.split())
    for p in (
        "which force",
        "which forces",
        "what force",
        "what forces",
        "which police",
        "which 1",
        "which of them",
        "who was it",
        "which was it",
    )
)

# Phrases that ask about one force without naming it ("tell me about one of the forces"),
# with "force" or "forces" in the message.
SOME_FORCE = frozenset(
    tuple(p.split())
    for p in (
        "about 1 of",
        "a particular force",
        "a specific force",
        "about the force",
        "about a force",
        "about 1 force",
    )
)

# Phrases that mean the forces other than the ones just talked about.
OTHER_FORCES = frozenset(
    (
        ("other", "2"),
        ("other", "forces"),
        ("others",),
        ("other", "ones"),
        ("the", "rest"),
        ("where", "else"),
        ("which", "else"),
        ("who", "else"),
    )
)

# Phrases that mean the one force left of those the last question was asked about ("and
# the other one", "and the 3rd" after two of the three).
REMAINING = frozenset((("other", "1"), ("3rd",), ("third",), ("remaining",), ("other", "force")))

# A message asking only for more on what was just said ("tell me more", "anything else?").
MORE = frozenset(
    tuple(p.split())
    for p in (
        "more",
        "tell me more",
        "anything else",
        "what else",
        "go on",
        "any more",
        "anything more",
        "say more",
        "more info",
        "more detail",
        "more details",
        "keep going",
        "carry on",
        "continue",
    )
)
# Words a "more" message may have besides ("ok anything else?", "go on then").
MORE_FILLER = frozenset(
    (
        *("please", "pls", "plz", "tell", "me", "us", "about", "it", "that", "this"),
        *("ok", "okay", "so", "and", "then", "is", "there", "any", "can", "you", "could"),
        *("u", "oh", "cool", "thanks", "ta", "right", "yes", "yeah"),
    )
)

# Words that pick a clarification choice by position ("the second one"; -1 is the last).
# A choice picked by position; digits too, as people type "2" for the second button.
ORDINALS = {
    "first": 0,
    "1st": 0,
    "1": 0,
    "second": 1,
    "2nd": 1,
    "2": 1,
    "third": 2,
    "3rd": 2,
    "3": 2,
    "last": -1,
}

# Words that may surround an entity in a bare follow-up ("and what about gmp then?").
FOLLOW_UP_FILLER = frozenset(
    """
    what about and how the then so also ok okay same for with of regarding re on is
    it its there please too as well now but or question one 1 ones in at police
    no not i meant mean sorry actually oops instead going back to about
    force to has have had none any did does do was were go ahead pls just yes right
    hmm hm well that last finally lastly
    """.split()  # noqa: SIM905
)

# Hedges people put inside a question's phrases, which say nothing of what it asks: "who
# actually did the inspections" asks "who did".
HEDGES = frozenset(
    "actually really basically exactly even ever precisely honestly literally".split()  # noqa: SIM905
)

# Verbs that make the body named just before them the one who did it ("ofsted inspected
# the forces", "hmic ran the consultation").
ACTOR_VERBS = frozenset(
    """
    inspected inspects inspect inspecting conducted conducts ran runs run held holds did
    does do doing carried carries led leads announced announces visited visits went looked
    """.split()  # noqa: SIM905
)

# Verbs of the page's other deeds, for who did them ("it was hmic who deferred them").
DEED_VERBS = frozenset(
    "deferred postponed delayed consulted renamed published announced".split()  # noqa: SIM905
)

# Verbs of doing an event ("who delayed the joint inspections", "who pushed them back").
DOING = ACTOR_VERBS | DEED_VERBS | frozenset({"pushed", "put", "moved", "organised", "organized"})

# Words between a body's name and its verb ("hmic then did", "hmic who deferred them").
ACTOR_GAP = frozenset({"who", "that", "then", "actually", "itself"})
# Words between a negation and what it negates that do not count towards its reach ("found
# nothing at all that needed improving").
NEGATION_GAP = frozenset({"at", "all", "that", "which", "really", "actually", "basically"})
# Words that make what follows the other side of a comparison ("before ofsted went in").
COMPARED = frozenset({"before", "after", "than", "while"})
# Words that make a deed the body's own ("ofsted did its inspections separately").
OWN_DEED = frozenset({"its", "their", "own"})
# Question words that ask for a value, not a yes or no (not "why", "how", nor "what", which
# a sentence quoted with a yes answers: "what did gmp do with its partners?").
VALUE_QUESTIONS = frozenset({"which", "who", "whom", "whose", "when", "where"})
# Question words that ask for a value even beside a body's name ("which one did hmic look
# at"), where "what" and "who" may ask about the body itself ("who was the cqc in this").
VALUE_BESIDE_A_BODY = frozenset({"which", "whose", "when", "where", "how"})

# Words said after a question that ask nothing themselves ("... part of it?? really").
INTERJECTIONS = frozenset(
    """
    really seriously right yeah yes yep ok okay lol pls please thanks thx huh eh innit surely
    true correct mate hmm
    """.split()  # noqa: SIM905
)

# Words that ask something of every one of several ("the findings for each of the forces").
EACH = frozenset({("each",), ("every",), ("all", "3"), ("all", "the"), ("for", "all"), ("both",)})

# Two words that turn a question to what follows them ("what about west mercia?").
WHAT_ABOUT = frozenset({("what", "about"), ("how", "about")})

# Words that ask about something besides what the chat is about ("and where else?").
OTHERS_ASKED = frozenset({"else", "other", "others"})

# Words that put a name to the list just given, asking whether it is one of them
# ("prisons too?", "hmi prisons?? really").
MEMBER_CHECKS = frozenset({"too", "really", "also", "aswell", "seriously", "surely"})
AS_WELL = frozenset({("as", "well")})

# Words that open a yes/no question ("did", "was", "is there ...").
AUXILIARIES = frozenset(
    "is was were are am did does do has have had can could will would should".split()  # noqa: SIM905
)
# Words that may come before the question itself ("so", "and", "ok so did ...").
LEADING_FILLER = frozenset(
    ["so", "and", "but", "ok", "okay", "also", "then", "hey", "hi", "right", "quick", "question"]
)
# Endings that make a statement a claim to confirm ("..., right?", "..., didn't it?").
# Written normalised: contractions are spelt out ("didn't it" -> "did not it").
CLAIM_TAGS = tuple(
    tuple(tag.split())
    for tag in (
        "right",
        "correct",
        "true",
        "yeah",
        "yes",
        "innit",
        "is that right",
        "is that correct",
        "is that true",
        "am i right",
        "i think",
        "i believe",
        "i reckon",
        "yes or no",
        "surely",
        "really",
        "that is what i read",
        "that is what i heard",
        "that is what i was told",
        "so i heard",
        "so i read",
    )
)
# The pronoun of a question tag: "..., didn't it?", "..., don't they?", "..., wasn't there?"
# (an auxiliary, "not" as normalised, then one of these).
TAG_PRONOUNS = frozenset({"it", "they", "he", "she", "there", "we", "you", "i", "that"})
# A statement sent to the bot is a claim to confirm ("staffs was chosen cos it was failing"):
# a message that asks nothing (no question word, not opened by an auxiliary or a request)
# but states something with one of these verbs.
STATEMENT_VERBS = frozenset(
    """
    was were is are has had got happened covered came took chose picked selected ran held did
    inspected announced renamed found deferred published dated changed became started ended
    scrapped cancelled canceled axed dropped said told praised judged rated influenced
    affected impacted worked shared protected helped identified conducted visited looked led
    wrote gave made done began started finished closed ended spoke talked met communicated
    carried postponed delayed consulted organised organized pushed shaped skewed swayed
    covers includes spans kicked rolled
    """.split()  # noqa: SIM905
)
# Verbs that, with a question mark, make a statement a yes/no question ("so older reports
# still say hmic?"), beside STATEMENT_VERBS.
SAYING_VERBS = frozenset(
    "say says mention mentions refer refers include includes cover covers show shows".split()  # noqa: SIM905
)
# Words that say no: before a yes/no attribute word they turn it around ("were not being
# protected"); in an answer they keep "every word is there" from meaning Yes ("neither
# inspection affected the findings").
NEGATIONS = frozenset(
    {"not", "no", "never", "neither", "nor", "none", "without", "hardly", "nothing", "nobody"}
)
# Words that may open a yes/no question before its auxiliary: "in staffordshire did hmic
# and ofsted inspect at the same time?".
LEADING_PREPOSITIONS = frozenset({"in", "for", "about", "regarding", "re", "at", "with", "on"})
# How far into the question that auxiliary may come.
MAX_LEADING_WORDS = 4

# Words of "what happened in October 2011?": a date asked about, not a subject's date.
HAPPENED = frozenset(
    tuple(p.split())
    for p in (
        "happened",
        "happen",
        "happening",
        "happend",
        "going on",
        "went on",
        "go on",
        "occurred",
        "took place",
        "take place",
        "the story",
    )
)
# Openings of a question about the asker's own plans ("can i ...", "should i ...").
ASKING_FOR_MYSELF = frozenset({("can", "i"), ("should", "i"), ("could", "i"), ("am", "i")})
# Things of the asker's own life: "my mum keeps turning up unannounced", "my new job".
OWN_THINGS = frozenset(
    """
    mum mom mam dad mother father son sons daughter daughters husband wife partner boyfriend
    girlfriend friend friends mate mates family nan gran grandma grandad brother sister
    neighbour neighbours job work boss manager colleague colleagues car van house flat home
    landlord school uni college gp doctor dentist pension phone dog cat puppy teacher
    """.split()  # noqa: SIM905
)
# Openings of a request for instructions ("how do i join ...", "how to get a pilot licence"):
# the page is a record of inspections and tells no one how to do anything, so these are
# declined unless they ask how to reach the page's own documents or facts (HOW_TO_PAGE).
HOW_TO = frozenset(
    tuple(p.split())
    for p in (
        "how do i",
        "how can i",
        "how i can",
        "how i do",
        "how i should",
        "how i could",
        "how could i",
        "how should i",
        "how would i",
        "how do we",
        "how can we",
        "how should we",
        "how do you",
        "how can you",
        "how to",
        "how does one",
        "how does someone",
        "how do people",
    )
)
# Words of a how-to question about the page itself: "how do i cite the report", "how can i
# find out when it was published".
HOW_TO_PAGE = frozenset(
    """
    report reports page source document documents cite citing reference referencing read
    copy download access know
    """.split()  # noqa: SIM905
)
# Of HOW_TO_PAGE, the nouns: about the page's own documents only after a definite word ("the
# report", "their report"), not "a good lab report".
DOCUMENT_NOUNS = frozenset({"report", "reports", "page", "source", "document", "documents"})
DEFINITE = frozenset("the this that these those its their his her".split())  # noqa: SIM905
# Openings of a request, not a statement: "tell me ...", "list the ...".
REQUESTS = frozenset(
    """
    tell give list name explain show summarise summarize describe please pls can could
    would will i need want help find where thanks thank thx ty cheers ta great
    """.split()  # noqa: SIM905
)
# Words a claim about a text value shares with every subject's value ("chosen", "police"):
# they neither support nor contradict it.
CLAIM_NEUTRAL = ("police", "force", "forces", "chosen", "selected")
# A number asserted without a figure: "does gmp have several local authorities?".
VAGUE_PLURAL = frozenset(
    tuple(p.split())
    for p in (
        "several",
        "many",
        "multiple",
        "lots of",
        "a lot of",
        "more than 1",
        "a few",
        "various",
    )
)
# Fewest words a statement needs to be read as a claim ("staffs was chosen" has three).
MIN_STATEMENT_WORDS = 3

# Openings of a claim ("is it true that ...", "i heard ...").
CLAIM_OPENERS = tuple(
    tuple(opener.split())
    for opener in (
        "is it true",
        "is it right",
        "i heard",
        "i read",
        "am i right",
        "so it was",
        "i think",
        "i believe",
        "i was told",
        "someone said",
        "someone told me",
        "apparently",
        "i reckon",
        "pretty sure",
        "i am pretty sure",
        "i am fairly sure",
        "i am sure",
        "fairly sure",
        "surely",
        "if i remember",
        "my understanding is",
        "correct me if",
        "as far as i know",
    )
)
# A force named after one of these is a place the question asserts, not its subject:
# "did the police work with partners in Rochdale?".
LOCATIVES = frozenset(
    {"in", "at", "within", "around", "across", "near", "inside", "covering", "covered", "covers"}
)
# Two words before a place that say someone went there ("hmic went to rochdale").
MOTION_TO = frozenset(
    (verb, "to") for verb in ("went", "go", "gone", "going", "came", "come", "sent", "headed")
)
# Words after which a value is denied, not asserted: "in bolton not rochdale", "2013 rather
# than 2012" (not "was it not rochdale", where "not" belongs to the verb).
DENIALS = frozenset(
    tuple(p.split()) for p in ("not", "rather than", "instead of", "as opposed to", "and not")
)
# How many words after a denial it reaches ("not in the rochdale area").
DENIAL_REACH = 3
# Words that end a denial's reach ("not rochdale but bolton").
DENIAL_ENDS = frozenset({"and", "but", "or", "right", "was", "were", "is", "it", "for"})
# Phrases that say a count is one ("one" is normalised to "1"): "just one council".
ONE = frozenset(
    (("just", "1"), ("only", "1"), ("single",), ("1", "council"), ("1", "local"), ("1", "la"))
)
# A date after one of these is not the date of the event asked about: "inspected again
# since 2013?" asks about later events, not whether the inspection was in 2013.
RELATIVE = frozenset({"since", "after", "before", "again", "prior", "beyond", "past"})
# Words that make a claim exclusive: "the consultation was just Ofsted" is wrong when
# Ofsted was one of five.
EXCLUSIVE = frozenset(
    tuple(p.split())
    for p in ("just", "only", "alone", "on its own", "by itself", "solely", "by themselves")
)
# The months in order ("April 2013" -> 4), and as a set.
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = frozenset(MONTH_NAMES)

# Asking for more detail than a page of this kind gives: the exact day or time, a duration,
# who led, names of people, recommendations. An answer to such a question says plainly that
# the page gives no more, then what it does say.
BEYOND_THE_PAGE = frozenset(
    tuple(phrase.split())
    for phrase in (
        "exact date",
        "exact day",
        "exact dates",
        "exact days",
        "what day",
        "which day",
        "which days",
        "what days",
        "how long",
        "how many days",
        "how many weeks",
        "which week",
        "what week",
        "who led",
        "who lead",
        "who headed",
        "lead inspector",
        "led the inspection",
        "in charge",
        "inspectors names",
        "names of inspectors",
        "which inspectors",
        "who were the inspectors",
        "recommendations",
        "recommend",
        "recommended",
    )
)

# A short follow-up that moves along the page's timeline (intents.yaml's `next:`).
NEXT_EVENT = frozenset(
    tuple(p.split())
    for p in (
        "what happened next",
        "what next",
        "after that",
        "and then",
        "then what",
        "what followed",
        "what came after",
        "what came next",
        "what comes next",
        "what happened after",
        "what happened afterwards",
        "what was next",
        "next step",
        "and after",
    )
)
PREVIOUS_EVENT = frozenset(
    tuple(p.split())
    for p in (
        "before that",
        "before this",
        "what came before",
        "what happened before",
        "prior to that",
        "earlier",
    )
)

# Words that ask when, what or how many, or name a date, and nothing of the page's own: a
# message whose evidence is only these, beside words the bot does not know, is no question
# about the page ("what year did the titanic sink", "whats the november birthstone").
GENERIC_EVIDENCE = (
    QUESTION_WORDS
    | MONTHS
    | frozenset(
        (
            *("what", "which", "year", "years", "date", "dates", "month", "months", "day"),
            *("days", "time", "many", "much", "is", "was", "the", "a", "of", "in", "on"),
            *("it", "did", "do", "does", "came", "come", "out"),
        )
    )
)

# Verbs by which someone else's claim is passed on ("my mate reckons ...", "my boss says ..."):
# the message is the claim, not something of the asker's own.
RELAYED = frozenset(
    (
        *("says", "said", "reckons", "reckoned", "thinks", "thought", "claims", "claimed"),
        *("told", "tells", "reckon", "insists", "swears", "heard", "read", "believes"),
    )
)

# "anything else", "something else": a value said of another thing than the one named
# ("did ofsted pilot anything else in 2012").
ANYTHING_ELSE = frozenset({("anything", "else"), ("something", "else"), ("any", "other")})

# Phrases asking the time between two events ("how long between the consultation and the
# inspections").
GAP_ASKED = frozenset(
    tuple(p.split())
    for p in (
        "how long between",
        "how much time between",
        "how many months between",
        "time between",
        "gap between",
        "months between",
        "how long from",
    )
)

# Statement phrases whose verb alone would make questions statements ("when hmic went in").
WENT_AHEAD = frozenset({("went", "ahead")})
# Verbs after which "what" opens a clause, not a question ("changed what ofsted found").
CHANGE_VERBS = frozenset(
    {"changed", "change", "affected", "affect", "influenced", "influence", "shaped", "altered"}
)
# Words of an "or ..." ending that asks about others, not a second option ("or were others
# in on it too"), and how long that ending may be.
OR_OTHERS = frozenset({"others", "anyone", "anybody", "someone", "somebody", "else"})
MAX_OR_OTHERS_WORDS = 7

# Words after which "1" is a position ("option 1", "and 1?"), not "one" ("the later one").
PICK_WORDS = frozenset({"number", "no", "option", "choice", "pick", "and", "or", "just", "ok"})
# Words saying what a force's territory is, not where it was inspected ("does west mercia
# only cover herefordshire").
COVERS = frozenset({"cover", "covers", "covered", "covering", "span", "spans", "patch"})
# Words too vague to support or contradict a claim about a text value.
VAGUE_WORDS = frozenset({"area", "areas", "place", "places"})
