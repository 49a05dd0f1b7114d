"""Understanding free text: the area vocabulary, its matcher, the trained model and the chosen
classifier. `bot.text_areas` is the public face for callers."""
