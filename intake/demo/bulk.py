"""PostgreSQL bulk loading: the filled tables' indexes and constraints set aside for the load.

Keeping some twenty B-trees of ``submission`` up to date row by row (random last names, dates,
references) is most of what PostgreSQL does during a large seed; building each index once, from
a sort of the loaded table, is much cheaper. So for a large seed ``deferred_indexes``
drops every index and constraint of the tables it fills, except the primary keys (and anything
a foreign key depends on), and creates them again after the load.

The statements that create them again are read from the live catalog (``pg_get_indexdef``,
``pg_get_constraintdef``) just before the drop, so the migrations stay the one home of the
schema: whatever they made is made again as it was. PostgreSQL's DDL is transactional, and
the drop, the load and the rebuild run in one transaction that the caller commits: a seed
interrupted at any point (an error, Ctrl-C, a lost connection) rolls back to the tables as
they were, indexes and constraints included. The tables are locked (``ACCESS EXCLUSIVE``)
until then: seed a database no one is using.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

#: What the rebuild may use for each sort (only in the seed's transaction: ``SET LOCAL``).
MAINTENANCE_WORK_MEM = "256MB"

# Each row: (the statement that drops it, the statement that creates it again). Unique and
# foreign-key constraints are dropped and added as constraints (their indexes come with them);
# other indexes as indexes. A primary key stays, and so does any index or unique constraint a
# foreign key refers to (it cannot be dropped without the foreign key). Foreign keys are added
# last, once the indexes are back.
_DEFINITIONS = sa.text(
    """
    SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
           format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                  pg_get_constraintdef(c.oid)),
           CASE c.contype WHEN 'f' THEN 1 ELSE 0 END AS stage
      FROM pg_constraint c
     WHERE c.conrelid = ANY(CAST(:tables AS regclass[]))
       AND (c.contype = 'f'
            OR (c.contype = 'u' AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint f
                     WHERE f.contype = 'f' AND f.conindid = c.conindid)))
    UNION ALL
    SELECT format('DROP INDEX %s', i.indexrelid::regclass),
           pg_get_indexdef(i.indexrelid),
           0
      FROM pg_index i
     WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                          AND (c.contype = 'f' OR c.conrelid = i.indrelid))
     ORDER BY 3, 2
    """
)


def definitions(connection: sa.Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
    """``(drop, create)`` statements for what ``deferred_indexes`` sets aside on ``tables``, in
    the order they are created again."""
    rows = connection.execute(_DEFINITIONS, {"tables": list(tables)}).all()
    return [(drop, create) for drop, create, _stage in rows]


@contextmanager
def deferred_indexes(
    connection: sa.Connection,
    tables: Sequence[str],
    say: Callable[[str], None] | None = None,
) -> Iterator[int]:
    """Drop ``tables``' secondary indexes and constraints, run the body (the load), create
    them again; all in the caller's transaction, which the caller commits. Yields how many
    were set aside. If the body raises, nothing is created again: the caller rolls back.
    ``say`` is told when the rebuild starts: at a million rows it takes a minute or two, and
    an operator watching ``seed-demo`` should not think it hung."""
    statements = definitions(connection, tables)
    # The catalog's own SQL, run as it is (no parameters, so nothing in it is a placeholder).
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    # Foreign keys are dropped first (in reverse creation order), then the rest.
    for drop, _create in reversed(statements):
        cursor.execute(drop)
    yield len(statements)
    if say:
        say(f"creating the {len(statements)} indexes and constraints again (a minute or two)…")
    cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
    for _drop, create in statements:
        cursor.execute(create)
