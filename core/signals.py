"""Signals core sends so apps can follow workflow objects without core knowing them.

`object_changed` is sent by core.runner inside the writing transaction, after the save and the audit
event of every transition or audited edit (sweeps included, with actor None). Arguments: sender (the
model class), obj, action (the transition or edit name), from_state, to_state (equal for an edit),
actor. A receiver that does slow work (a render, a recount) schedules it with
`transaction.on_commit`, so a rolled-back change leaves nothing behind.
"""
from django.dispatch import Signal

object_changed = Signal()
