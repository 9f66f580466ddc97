"""Assessment: KPIs, approval chains, case lifecycle, rulebooks, scores, posts and rewards."""
