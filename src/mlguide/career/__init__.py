"""Practice and career: the code behind the practice pages (idioms, profiling, speed-ups)."""
