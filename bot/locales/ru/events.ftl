## Events
