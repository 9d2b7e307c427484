"""Copy the uploads and rows that lived in ml_models (SalesHistoryUpload/Row) into the demand history.

Where several uploads held the same day × item × location, the newest one's row is current and each older
row is marked superseded by the next upload, as a re-upload does now. ml_models 0002 drops the old tables
after this has run (in every tenant schema and the template).
"""

from django.db import migrations

COPY_UPLOADS = """
INSERT INTO planning_demandhistoryupload (
    id, filename, sha256, size, storage_key, encoding, status, row_count, plan_row_count, replaced_row_count, errors,
    module, progress_percent, stage, metrics, model_name, model_version, promoted, created_by, created_at, updated_at)
SELECT id, filename, sha256, size, storage_key, encoding, status, row_count, 0, 0, errors,
       module, progress_percent, stage, metrics, model_name, model_version, promoted, created_by, created_at, updated_at
  FROM ml_models_saleshistoryupload;
SELECT setval(pg_get_serial_sequence('planning_demandhistoryupload', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)
  FROM planning_demandhistoryupload;
"""

COPY_ROWS = """
INSERT INTO planning_demandhistoryrow (
    item_id, location_id, date, source, quantity, price, promo, is_open, upload_id, superseded_by_id, created_at)
SELECT item_id, location_id, date, 'upload', quantity, price, promo, NULL, upload_id,
       LEAD(upload_id) OVER (PARTITION BY item_id, location_id, date ORDER BY upload_id), now()
  FROM ml_models_saleshistoryrow;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0004_demand_history_promotions_forecast_runs"),
        ("ml_models", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(COPY_UPLOADS, migrations.RunSQL.noop),
        migrations.RunSQL(COPY_ROWS, migrations.RunSQL.noop),
    ]
