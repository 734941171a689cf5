package sqlite

// Recheck is how long a data version read stays fresh, for the tests of
// writes made through other handles (as by other processes).
const Recheck = recheck
