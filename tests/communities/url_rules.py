from tests.matrix import Rule

RULES = {
    "communities:home": Rule("view"),
}
