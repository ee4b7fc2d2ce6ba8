"""The timeline's geometry without Qt: rows, bars, the (broken) year axis, its ticks and row labels."""
