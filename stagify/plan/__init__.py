"""The planner: from a parsed Dockerfile, its build context and a detected language to a frozen
``ConversionPlan`` (``planner`` and the modules it asks), and the plan rendered as text (``render``)."""
