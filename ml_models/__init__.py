"""Demand forecasting library: a global PyTorch quantile model, baselines, training, explanations, MLflow registry.

Public API (imported from the submodules, so loading the Django app does not import torch):
- features.DemandPanel: many series on one date axis, with optional price/promo/signal channels;
- training.train / training.fine_tune (progress callback), evaluation.evaluate_holdout;
- serving.forecast (P10/P50/P90 per horizon period), explain.explain (weight per feature family);
- tracking.log_training_run / promote_if_better / rollback / load_champion;
- base_models.train_base_models (one base model per vertical, `public.<module>.demand`, from the module's declared
  MLSpec: ml_models.specs); base_models.train_base_networks: the same verticals' base tenant networks, which
  champion.fit_and_forecast(base=...) fine-tunes (and tries even on histories too short to learn from);
- champion.fit_and_forecast / champion.forecast_with: what a tenant is served, chosen per demand class by a
  rolling-origin backtest over statsforecast baselines, a global LightGBM and the tenant network (daily panels with
  open / promo / price / holiday channels), and nightly serving of that choice.
"""
