"""The embedded cache: one folder that every process shares, with an atomic `add`."""

import multiprocessing

from streetwave.core.file_cache import SharedFileCache

RACERS = 8
ROUNDS = 40


def _race(folder, start, wins):
    cache = SharedFileCache(folder, {})
    start.wait()
    for round_ in range(ROUNDS):
        if cache.add(f"lock-{round_}", 1, 60):
            wins.put(round_)
        cache.incr(f"lock-{round_}")


def test_of_processes_racing_to_add_one_key_exactly_one_wins_and_no_count_is_lost(tmp_path):
    # given eight processes sharing the folder, released at once
    context = multiprocessing.get_context("fork")
    start, wins = context.Barrier(RACERS), context.Queue()
    racers = [
        context.Process(target=_race, args=(str(tmp_path), start, wins)) for _ in range(RACERS)
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)

    # then each key was added once, and every process's increment of it counted
    won = [wins.get(timeout=5) for _ in range(wins.qsize())]
    assert sorted(won) == list(range(ROUNDS))
    cache = SharedFileCache(str(tmp_path), {})
    assert {cache.get(f"lock-{round_}") for round_ in range(ROUNDS)} == {1 + RACERS}
