/* The analysers a scan runs over every node, in this order. */
#include "analyse/analyser.h"

extern const fwvet_analyser fwvet_analyser_accounts;

const fwvet_analyser *const fwvet_analysers[] = {
    &fwvet_analyser_accounts,
    NULL,
};
