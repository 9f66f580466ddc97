"""Time: the working calendar, opening hours, deadlines and due times."""
