"""`make bench` takes each page's ratio against the hello-world readings right around it."""

from bench.run import Sample, summarise


def sample(rps: float, seconds: float = 2.0) -> Sample:
    requests = int(rps * seconds)
    return Sample(requests, seconds, [0.01] * requests, 0, {200: requests})


def test_a_page_is_compared_with_hello_world_measured_right_before_and_after_it():
    # The machine slows down in the middle of the round: hello-world 3000/s before the course, 1000/s at the end.
    samples = {"hello": [sample(3000), sample(3000), sample(1000)],
               "course": [sample(900, 4.0)], "module": [sample(300, 4.0)]}
    around = {"hello": [], "course": [(3000, 3000)], "module": [(3000, 1000)]}

    result = summarise(samples, around)

    assert result["endpoints"]["course"]["ratio_to_hello"] == 0.3
    assert result["endpoints"]["module"]["ratio_to_hello"] == 0.15  # 300 against 2000, not the run's 2333
    assert result["endpoints"]["hello"]["ratio_to_hello"] == 1.0


def test_a_run_whose_hello_world_moves_while_a_page_is_measured_is_marked_noisy():
    steady = summarise({"hello": [sample(2000), sample(1900)], "course": [sample(600, 4.0)]},
                       {"hello": [], "course": [(2000, 1900)]})
    moving = summarise({"hello": [sample(2000), sample(1500)], "course": [sample(600, 4.0)]},
                       {"hello": [], "course": [(2000, 1500)]})

    assert not steady["noisy"] and steady["hello_drift_around_a_page"] == 0.051
    assert moving["noisy"] and moving["hello_drift_around_a_page"] == 0.286
