"""The audit trail: keyed hash chains per subject, signed checkpoints of every chain head, and
the verification that reads them back (CLI, scheduler, admin page).

- :mod:`app.audit.chain` appends events (``record``) under a locked chain-head row;
- :mod:`app.audit.checkpoint` signs a Merkle root over every (subject, head, count);
- :mod:`app.audit.verify` walks the chains and compares them with heads and the last checkpoint;
- :mod:`app.audit.periodic` runs verification and a checkpoint from the scheduler and opens an
  incident on a break; :mod:`app.audit.roles` grants the application's database role only
  INSERT and SELECT on the audit rows.
"""
