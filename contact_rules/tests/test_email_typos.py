"""Issue 18 #7: a likely typo of a common provider's domain is found, so the assistant can ask
"Czy chodzi o …@gmail.com?" before using it; anything else is left alone."""
import pytest

from contact_rules import suggest_email


@pytest.mark.parametrize("typed, meant", [
    ("jacek.baran@gmial.com", "jacek.baran@gmail.com"), ("jan@wp.p", "jan@wp.pl"), ("ala@onet.pll", "ala@onet.pl"),
    ("ala@gmail.con", "ala@gmail.com"), ("ala@gmai.com", "ala@gmail.com"), ("ala@gmial.con", "ala@gmail.com"),
    ("Ala.Nowak@GMIAL.COM", "Ala.Nowak@gmail.com"), ("ala@interia.pk", "ala@interia.pl"),
    ("ala@hotmial.com", "ala@hotmail.com"), ("ala@o2.pll", "ala@o2.pl"), ("ala@wp.pl.", None),
])
def test_a_slip_in_a_common_domain_is_found(typed, meant):
    assert suggest_email(typed) == meant


@pytest.mark.parametrize("typed", [
    "jan@gmail.com", "jan@wp.pl", "jan@op.pl", "jan@o2.pl",             # the providers themselves
    "jan@zielinski-domena.pl", "biuro@kowal-bud.pl", "jan@example.pl",   # own domains
    "jan@xp.pl",                                                         # as near wp.pl as op.pl and vp.pl: no guess
    "jan@", "@gmial.com", "", None,
])
def test_anything_else_is_left_alone(typed):
    assert suggest_email(typed) is None
