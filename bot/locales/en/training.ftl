## Training
