from solution import Color, Stack, favourite, make_label, origin


def test_an_int_enum_member_is_its_int_and_itself():
    colour = favourite()
    assert colour == 2
    assert colour is Color.GREEN
    assert colour.name == "GREEN"
    assert colour + 1 == 3


def test_an_int_enum_member_reads_as_its_class_says():
    assert repr(favourite()) == "<Color.GREEN: 2>"
    assert str(favourite()) == "2"


def test_a_namedtuple_is_a_tuple_of_its_own_class():
    point = origin()
    assert point == (0, 0)
    assert point.x == 0
    assert repr(point) == "Point(x=0, y=0)"
    assert type(point).__name__ == "Point"
    assert isinstance(point, tuple)
    assert type(point) is not tuple


def test_a_list_subclass_keeps_its_methods_and_its_contents():
    stack = Stack()
    stack.push(1)
    stack.push(2)
    assert stack.peek() == 2
    assert len(stack) == 2
    assert stack == [1, 2]
    stack.append(3)
    assert stack.peek() == 3


def test_a_str_subclass_is_a_str_of_its_own_class():
    label = make_label("ab")
    assert label == "ab"
    assert label.shout() == "AB!"
    assert isinstance(label, str)
    assert type(label) is not str
    assert sorted([make_label("b"), make_label("a")]) == ["a", "b"]
