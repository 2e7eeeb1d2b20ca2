export const TEMPLATE_DATABASE = 'app_template';
