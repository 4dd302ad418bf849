/** The four Modbus data tables (Modbus Application Protocol v1.1b3, 4.3: the data model). */
export type ModbusTable = 'coil' | 'discrete' | 'holding' | 'input';
