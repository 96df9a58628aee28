## Profile
