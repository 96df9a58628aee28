## Topics
