"""Tenant web app views: thin, reading through selectors and writing through services (one module per area)."""

from core.web.views.dashboard import dashboard, forecast_chart_data, set_language

__all__ = ["dashboard", "forecast_chart_data", "set_language"]
