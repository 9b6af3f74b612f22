"""The suppression rules on their own: no database, tables given as dicts."""

import random

from qualify.reports.suppression import complementary_suppression, lines, protect, published_total

K = 5


def sizes(values, size=100):
    return dict.fromkeys(values, size)


def test_cell_counting_fewer_than_k_people_is_withheld_and_so_is_zero():
    values = {("a",): 4, ("b",): 0, ("c",): 5}
    hidden = protect(values, K, group_sizes=sizes(values), additive_axes=())
    assert hidden == {("a",), ("b",)}


def test_every_figure_of_a_group_smaller_than_k_is_withheld():
    values = {("tiny", "jan"): 9, ("big", "jan"): 30}
    hidden = protect(values, K, group_sizes={("tiny", "jan"): 4, ("big", "jan"): 100}, additive_axes=())
    assert ("tiny", "jan") in hidden and ("big", "jan") not in hidden


def test_a_withheld_cell_never_stands_alone_in_its_line():
    values = {("a", "jan"): 2, ("b", "jan"): 20, ("c", "jan"): 9}
    hidden = protect(values, K, group_sizes=sizes(values))
    assert hidden == {("a", "jan"), ("c", "jan")}  # the next-smallest goes with it


def test_withheld_cells_of_an_additive_line_together_count_at_least_k():
    values = {("a",): 1, ("b",): 1, ("c",): 6, ("d",): 7, ("e",): 40}
    hidden = protect(values, K, group_sizes=sizes(values))
    assert sum(values[key] for key in hidden) >= K
    assert hidden == {("a",), ("b",), ("c",)}


def test_complementary_suppression_repeats_along_rows_and_columns_until_stable():
    values = {
        ("a", "jan"): 2,
        ("b", "jan"): 10,
        ("c", "jan"): 30,
        ("a", "feb"): 20,
        ("b", "feb"): 11,
        ("c", "feb"): 31,
    }
    hidden = protect(values, K, group_sizes=sizes(values), additive_axes=(0,), other_axes=(1,))
    for axis in (0, 1):
        for line in lines(values, axis):
            assert len([key for key in line if key in hidden]) != 1


def test_narrower_filter_differing_from_the_wider_one_by_fewer_than_k_is_withheld():
    narrow = {("a",): 9, ("b",): 20}
    wide = {("a",): 10, ("b",): 20}  # "all courses minus this course" would be one person in a
    hidden = protect(narrow, K, group_sizes=sizes(narrow), references=[wide], additive_axes=())
    assert hidden == {("a",)}


def test_total_counts_published_cells_only_and_is_withheld_below_k():
    assert published_total([10, None, 7], K) == 17
    assert published_total([None, None], K) is None
    assert published_total([], K) is None


def test_no_random_table_lets_total_minus_published_cells_reveal_fewer_than_k_people():
    rng = random.Random(20250415)
    for _ in range(300):
        groups, months = rng.randint(1, 6), rng.randint(1, 4)
        values = {
            (g, m): rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 30]) for g in range(groups) for m in range(months)
        }
        group_sizes = {key: rng.choice([3, 10, 50]) for key in values}
        hidden = protect(values, K, group_sizes=group_sizes, additive_axes=(0,), other_axes=(1,))
        for key, value in values.items():
            assert key in hidden or (value >= K and group_sizes[key] >= K)
        for line in lines(values, 0):
            withheld = [values[key] for key in line if key in hidden]
            shown = [key for key in line if key not in hidden]
            if withheld and shown:  # the true total minus what is shown: must not describe fewer than K
                assert len(withheld) >= 2 and sum(withheld) >= K
        for line in lines(values, 1):
            withheld = [key for key in line if key in hidden]
            assert len(withheld) != 1 or len(line) == 1


def test_a_withheld_value_is_never_published_under_another_metric_of_the_same_group_and_month():
    # "active" and "modules completed" can be the very same people (the kind "self-study"): equal by definition.
    values = {("a", "feb", "active"): 5, ("a", "feb", "completed"): 5, ("a", "feb", "enrolled"): 9,
              ("b", "feb", "active"): 12, ("b", "feb", "completed"): 12, ("b", "feb", "enrolled"): 12}
    hidden = complementary_suppression(values, {("a", "feb", "active")}, K, additive_axes=(), twin_axes=(2,))
    assert ("a", "feb", "completed") in hidden and ("a", "feb", "enrolled") not in hidden
    assert not any(key[0] == "b" for key in hidden)


def test_a_metric_a_few_people_short_of_active_is_withheld():
    # Everyone counted under another metric is active that month: "active 8, enrolled 7" says one person was
    # active without enrolling.
    values = {("a", "jul", "active"): 8, ("a", "jul", "enrolled"): 7, ("a", "jul", "completed"): 5,
              ("a", "jul", "posted"): 2}
    hidden = complementary_suppression(values, {("a", "jul", "posted")}, K, additive_axes=(), twin_axes=(2,),
                                       covering={2: "active"})
    assert ("a", "jul", "enrolled") in hidden  # 8 - 7 = 1 person
    assert ("a", "jul", "completed") in hidden  # 8 - 5 = 3 people
    assert ("a", "jul", "active") not in hidden


def test_no_published_metric_differs_from_published_active_by_fewer_than_k():
    rng = random.Random(7)
    for _ in range(200):
        values = {}
        for group in "abc":
            active = rng.randint(0, 30)
            values[(group, "m", "active")] = active
            for metric in ("enrolled", "completed", "posted"):
                values[(group, "m", metric)] = rng.randint(0, active)
        hidden = protect(values, K, group_sizes={key: 50 for key in values}, additive_axes=(0,), twin_axes=(2,),
                         covering={2: "active"})
        for (group, month, metric), value in values.items():
            cover = (group, month, "active")
            if metric != "active" and (group, month, metric) not in hidden and cover not in hidden:
                assert not 0 < values[cover] - value < K, (group, metric, values)


def test_the_whole_minus_the_published_parts_never_describes_a_handful():
    # Courses of one group and month: 17 in all, 8 + 6 published would leave the 3 of the third course.
    values = {("jan", "digital"): 8, ("jan", "antrieb"): 6, ("jan", "hochvolt"): 3}
    hidden = protect(values, K, group_sizes=sizes(values), additive_axes=(), bounded={1: {("jan",): 17}})
    assert hidden == {("jan", "hochvolt"), ("jan", "antrieb")}


def test_parts_that_overlap_may_stay_published_when_the_rest_says_nothing():
    # 12 in all, 8 and 6 of them in the two published courses: some are in both, nobody in the third alone.
    values = {("jan", "digital"): 8, ("jan", "antrieb"): 6, ("jan", "hochvolt"): 2}
    hidden = protect(values, K, group_sizes=sizes(values), additive_axes=(), bounded={1: {("jan",): 12}})
    assert hidden == {("jan", "hochvolt")}


def test_one_withheld_part_is_never_the_whole_minus_the_others():
    # 30 in all, 8 + 6 published: the 16 withheld (as a complement elsewhere) would be read off exactly.
    values = {("jan", "digital"): 8, ("jan", "antrieb"): 6, ("jan", "hochvolt"): 16}
    hidden = complementary_suppression(values, {("jan", "hochvolt")}, K, additive_axes=(),
                                       bounded={1: {("jan",): 30}})
    assert len(hidden) >= 2


def test_a_withheld_whole_leaves_its_parts_alone():
    values = {("jan", "digital"): 8, ("jan", "antrieb"): 6, ("jan", "hochvolt"): 3}
    hidden = protect(values, K, group_sizes=sizes(values), additive_axes=(), bounded={1: {("jan",): None}})
    assert hidden == {("jan", "hochvolt")}
