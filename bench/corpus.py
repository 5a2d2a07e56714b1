"""Text for the benchmarks that behaves like real forum writing under full-text search.

Real text follows Zipf's law: a few words are everywhere, most words are rare. A
uniform draw from a small vocabulary (what the first benchmarks used) makes every
word match half of all posts, which no real forum sees. Here words are drawn with
weight 1/rank from a vocabulary of common English, classroom words and a long tail
of rarer terms, so "students" matches about one post in eight, "rubric" one in forty and
"rubric feedback" about a thousand of a million, as in a real community of teachers.
"""

import itertools
import random

COMMON = (  # noqa: SIM905 - readable paragraphs; the most frequent English words; PostgreSQL drops most as stop words
    "the of and to a in is it you that he was for on are with as I his they be at one have this from or had by "
    "not word but what some we can out other were all there when up use your how said an each she which do "
    "their time if will way about many then them write would like so these her long make thing see him two has "
    "look more day could go come did number sound no most people my over know water than call first who may "
    "down side been now find any new work part take get place made live where after back little only round man "
    "year came show every good me give our under name very through just form sentence great think say help low "
    "line differ turn cause much mean before move right boy old too same tell does set three want air well also "
    "play small end put home read hand port large spell add even land here must big high such follow act why "
    "ask men change went light kind off need house picture try us again animal point mother world near build "
    "self earth father head stand own page should country found answer school grow study still learn plant "
    "cover food sun four between state keep eye never last let thought city tree cross farm hard start might "
    "story saw far sea draw left late run while press close night real life few north open seem together next "
    "white children begin got walk example ease paper group always music those both mark often letter until "
    "mile river car feet care second book carry took science eat room friend began idea fish mountain stop once "
    "base hear horse cut sure watch color face wood main enough plain girl usual young ready above ever red list"
).split()
CLASSROOM = (  # noqa: SIM905 - what teachers in a community of practice write about
    "students lesson classroom teacher teachers grade unit week coding unplugged algorithm pattern assessment "
    "rubric feedback scratch robot sequence loop debug partner pair program reflect journal district coach "
    "principal schedule standards inquiry project inclusion math literacy portfolio exit ticket formative "
    "summative collaboration growth mindset question strategy routine engagement scaffold differentiation "
    "station rotation curriculum objective vocabulary discussion worksheet quiz homework parents family "
    "behavior attendance recess lunch bell period semester quarter report conference observation evaluation "
    "planning prep colleague mentor workshop training session slides chromebook tablet laptop printer wifi "
    "login password platform app website video podcast article library resource template checklist timeline "
    "calendar meeting agenda minutes goal target data spreadsheet chart graph survey poll vote result "
    "kindergarten elementary middle high primary secondary special support intervention tier accommodation "
    "modification language learners bilingual reading writing spelling phonics fluency comprehension essay "
    "paragraph draft revise edit publish present audience share gallery walk jigsaw think pair turn talk "
    "sticky notes anchor modeling guided independent practice review retake mastery grading gradebook "
    "computational thinking decomposition abstraction variable condition event sprite block code blocks "
    "microbit arduino sensor circuit electricity engineering design prototype test iterate maker space"
).split()
_SYLLABLES = "ka lo mi ne ru sa ti ve zo ba de fi go hu ja ke li mo nu pa qui re so tu vi wa xe yo zu".split()  # noqa: SIM905
# A long tail of rarer terms (names of programs, places, tools) to reach a realistic vocabulary size.
TAIL = ["".join(parts) for parts in itertools.product(_SYLLABLES, repeat=3)][:6000]

VOCABULARY = COMMON[:60] + CLASSROOM[:12] + COMMON[60:] + CLASSROOM[12:] + TAIL
WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


class Corpus:
    """Deterministic Zipfian sentences and ~80-word Markdown bodies."""

    def __init__(self, seed=2026):
        self.rng = random.Random(seed)

    def words(self, n):
        return self.rng.choices(VOCABULARY, cum_weights=WEIGHTS, k=n)

    def sentence(self, n):
        return " ".join(self.words(n)).capitalize() + "."

    def title(self):
        return self.sentence(self.rng.randint(5, 10))[:-1] + "?"

    def markdown(self, words=80):
        parts = [self.sentence(self.rng.randint(10, 18)) for _ in range(words // 14)]
        bullets = f"- {self.sentence(6)}\n- **{self.sentence(4)}**"
        return " ".join(parts[:3]) + "\n\n" + bullets + "\n\n" + " ".join(parts[3:])
