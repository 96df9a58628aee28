## Content
