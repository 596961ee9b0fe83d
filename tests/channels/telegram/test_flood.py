"""Flood control: a burst passes, one warning, quiet until the sender slows down."""

from __future__ import annotations

from bot.channels.telegram.flood import AnswerTimes, Arrivals, FloodControl, RecentTaps, Verdict

ALLOW, WARN, DROP = Verdict.ALLOW, Verdict.WARN, Verdict.DROP


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def burst(flood: FloodControl, sender: object, count: int) -> list[Verdict]:
    return [flood.check(sender) for _ in range(count)]


def test_a_burst_gets_exactly_one_warning() -> None:
    flood = FloodControl(burst=5, per_minute=6, clock=Clock())
    assert burst(flood, "ann", 20) == [ALLOW] * 5 + [WARN] + [DROP] * 14


def test_a_sender_who_keeps_flooding_stays_quiet() -> None:
    clock = Clock()
    flood = FloodControl(burst=3, per_minute=6, clock=clock)  # one message leaks per 10 s
    burst(flood, "bob", 4)
    for _ in range(30):  # one message every 5 s: twice the sustained rate
        clock.now += 5
        assert flood.check("bob") is DROP


def test_slowing_down_is_answered_again_and_a_new_burst_warned_again() -> None:
    clock = Clock()
    flood = FloodControl(burst=3, per_minute=6, clock=clock)
    assert burst(flood, "cat", 5) == [ALLOW, ALLOW, ALLOW, WARN, DROP]
    clock.now += 10  # slowed down to the sustained rate
    assert flood.check("cat") is ALLOW
    clock.now += 60
    assert burst(flood, "cat", 5) == [ALLOW, ALLOW, ALLOW, WARN, DROP]


def test_senders_are_independent_and_zero_burst_turns_it_off() -> None:
    flood = FloodControl(burst=2, per_minute=1, clock=Clock())
    burst(flood, "dan", 10)
    assert flood.check("eve") is ALLOW
    off = FloodControl(burst=0, per_minute=1, clock=Clock())
    assert not off.enabled and set(burst(off, "fay", 100)) == {ALLOW}


def test_double_taps_are_recognised_within_the_window_only() -> None:
    clock = Clock()
    taps = RecentTaps(window=3.0, clock=clock)
    assert not taps.is_repeat(("chat", 1, "q1"))
    clock.now += 0.5
    assert taps.is_repeat(("chat", 1, "q1"))
    assert not taps.is_repeat(("chat", 1, "q2"))
    clock.now += 10
    assert not taps.is_repeat(("chat", 1, "q1"))


def test_someone_who_waits_for_answers_is_never_counted() -> None:
    flood = FloodControl(burst=2, per_minute=1, clock=Clock())
    assert {flood.check("gil", talked_over=False) for _ in range(50)} == {ALLOW}
    assert burst(flood, "gil", 4) == [ALLOW, ALLOW, WARN, DROP]
    assert flood.check("gil", talked_over=False) is DROP  # once warned, everything counts


def test_talking_over_means_arriving_before_the_last_answer() -> None:
    clock = Clock()
    arrivals, answers = Arrivals(clock), AnswerTimes(clock)
    arrivals.record(1)
    arrivals.record(2)
    assert not answers.talked_over("hal", arrivals.pop(1))  # nothing answered yet
    clock.now += 1
    answers.answered("hal")
    assert answers.talked_over("hal", arrivals.pop(2))  # sent before that answer went out
    clock.now += 1
    arrivals.record(3)
    assert not answers.talked_over("hal", arrivals.pop(3))
    assert answers.talked_over("hal", arrivals.pop(3))  # unknown arrival: counts
