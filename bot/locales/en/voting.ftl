## Voting
