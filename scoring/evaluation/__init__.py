"""The yearly evaluation's pure core (年度绩效评估): the evidence card, the measurable points'
suggestions, the year-to-year cycle, a project's path. No store, widgets or charts here."""
