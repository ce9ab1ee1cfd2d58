"""Solution programs of the v2 red team (tests/test_redteam_v2.py): each file is the code a
policy would write, sent to the judge as the completion's code block."""
