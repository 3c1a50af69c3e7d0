"""What the journey tells other packages, so that they depend on it and not the reverse."""

from blinker import Namespace

_signals = Namespace()

# Sent after a transition is flushed: sender=None, member=Member, transition=JourneyTransition,
# actor_id=int | None. Receivers run in the same unit of work (and may refuse by raising).
member_transitioned = _signals.signal("member-transitioned")
