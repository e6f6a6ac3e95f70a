"""watch_reports: evidence references the learner's coverage row, not users and lessons

Every report locks its coverage row; checking the evidence's key against that row takes no
further lock, where keys to users and lessons took a share lock on rows every report of
the lesson (or of the learner) shares. The coverage row still references both, and nothing
can be deleted from under the evidence (RESTRICT all the way).

The (lesson_id, user_id) index served only the check behind the key to lessons (deleting a
lesson); the unique index, which begins with (user_id, lesson_id), serves the new key. One
index fewer for each report to write.

Revision ID: 9d41c6e2f7a8
Revises: 7c1e5a9d2b40
Create Date: 2026-12-02 15:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d41c6e2f7a8'
down_revision = '7c1e5a9d2b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('watch_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_watch_reports_lesson_user')
        batch_op.drop_constraint('fk_watch_reports_user_id_users', type_='foreignkey')
        batch_op.drop_constraint('fk_watch_reports_lesson_id_lessons', type_='foreignkey')
        batch_op.create_foreign_key(
            op.f('fk_watch_reports_user_id_watch_coverage'), 'watch_coverage',
            ['user_id', 'lesson_id'], ['user_id', 'lesson_id'], ondelete='RESTRICT',
        )


def downgrade():
    with op.batch_alter_table('watch_reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_watch_reports_user_id_watch_coverage'), type_='foreignkey')
        batch_op.create_foreign_key(
            op.f('fk_watch_reports_user_id_users'), 'users', ['user_id'], ['id'], ondelete='RESTRICT',
        )
        batch_op.create_foreign_key(
            op.f('fk_watch_reports_lesson_id_lessons'), 'lessons', ['lesson_id'], ['id'], ondelete='RESTRICT',
        )
        batch_op.create_index('ix_watch_reports_lesson_user', ['lesson_id', 'user_id'], unique=False)
