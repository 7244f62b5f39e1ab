"""Moments in the patient's journeys that another app may act on, without booking knowing that app.

The care path (``carepath``) listens to tie a referral to the place or the
waiting-list entry its patient just made, and to the place its patient
accepted from the waiting list. The senders pass the request, so a
receiver can read what the visitor brought along in their session.
"""

from django.dispatch import Signal

# After a sign-up held its places: sender, request, enrollments (the first is the person who signed up).
places_held = Signal()
# After someone joined a waiting list on the site: sender, request, entry.
waitlist_joined = Signal()
# After a place offered from a waiting list was accepted (once): sender, offer (its entry and its enrollment).
offer_accepted = Signal()
