## Game
