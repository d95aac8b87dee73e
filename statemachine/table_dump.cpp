// Prints the transition table as tab-separated rows (see table::dump) for diagram and model generators.
#include <iostream>

#include "statemachine/table.hpp"

int main() {
  essl::table::dump(std::cout);
  return 0;
}
