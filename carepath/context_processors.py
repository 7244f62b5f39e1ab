"""The referral a visitor came in with, for the sign-up pages ("verwezen door …")."""

from .receivers import SESSION_KEY, referral_in_session


def referral(request):
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}  # no database query for everyone else
    return {"carepath_referral": referral_in_session(request)}
