## Intro
