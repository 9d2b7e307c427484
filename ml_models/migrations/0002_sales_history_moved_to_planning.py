"""The tenant's sales-history tables moved to core.planning (DemandHistoryUpload/Row); drop the old ones once
planning 0005 has copied them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ml_models", "0001_initial"),
        ("planning", "0005_copy_sales_history_from_ml_models"),
    ]

    operations = [
        migrations.DeleteModel(name="SalesHistoryRow"),
        migrations.DeleteModel(name="SalesHistoryUpload"),
    ]
